package io.qilin.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finds an installed JDK of a given feature release: {@code JDK<N>_HOME} first, else the JDKs under /usr/lib/jvm. */
final class Jdks {
    private static final Path SYSTEM_JDKS = Path.of("/usr/lib/jvm");
    private static final Pattern VERSION = Pattern.compile("^JAVA_VERSION=\"(\\d+)", Pattern.MULTILINE);

    private Jdks() {
    }

    static Optional<Path> find(int feature) {
        String fromEnv = System.getenv("JDK" + feature + "_HOME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(Path.of(fromEnv)).filter(home -> featureOf(home) == feature);
        }
        try (Stream<Path> homes = Files.list(SYSTEM_JDKS)) {
            return homes.filter(home -> !Files.isSymbolicLink(home)).filter(home -> featureOf(home) == feature)
                    .sorted().findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Why a test that needs JDK {@code feature} is skipped. */
    static String missing(int feature) {
        return "needs a JDK " + feature + ": set JDK" + feature + "_HOME or install one under " + SYSTEM_JDKS;
    }

    private static int featureOf(Path home) {
        if (!Files.isExecutable(home.resolve("bin/java"))) {
            return -1;
        }
        try {
            Matcher m = VERSION.matcher(Files.readString(home.resolve("release")));
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }
}
