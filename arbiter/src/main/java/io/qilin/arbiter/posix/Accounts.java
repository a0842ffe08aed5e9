package io.qilin.arbiter.posix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Users and groups from /etc/passwd and /etc/group, for {@code --user} and {@code --group}. */
public final class Accounts {
    private Accounts() {
    }

    /** A user's uid and primary gid: {@code [uid, gid]}; a number is taken as a uid. Null when unknown. */
    public static int[] user(String nameOrId) {
        for (String[] f : entries(Path.of("/etc/passwd"))) {
            if (f.length > 3 && (f[0].equals(nameOrId) || f[2].equals(nameOrId))) {
                return new int[] {Integer.parseInt(f[2]), Integer.parseInt(f[3])};
            }
        }
        return nameOrId.matches("\\d+") ? new int[] {Integer.parseInt(nameOrId), -1} : null;
    }

    /** A group's gid; a number is taken as a gid. -1 when unknown. */
    public static int group(String nameOrId) {
        for (String[] f : entries(Path.of("/etc/group"))) {
            if (f.length > 2 && (f[0].equals(nameOrId) || f[2].equals(nameOrId))) {
                return Integer.parseInt(f[2]);
            }
        }
        return nameOrId.matches("\\d+") ? Integer.parseInt(nameOrId) : -1;
    }

    private static List<String[]> entries(Path file) {
        try {
            return Files.readAllLines(file).stream().filter(l -> !l.startsWith("#")).map(l -> l.split(":", -1))
                    .collect(java.util.stream.Collectors.toList());
        } catch (IOException e) {
            return List.of();
        }
    }
}
