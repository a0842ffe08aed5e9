package io.qilin.arbiter.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docs/gunicorn-parity.md is written by hand; this keeps it honest against the registry: no setting the
 * registry has is marked missing, a "present" row that names a Qilin setting names a real one, every
 * setting appears, and the counts at the top add up.
 */
class GunicornParityTest {
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9_]+)` \\| (.*?) \\| (present|missing|n/a) \\| .*\\|$",
            Pattern.MULTILINE);
    private static final Pattern COUNTS = Pattern.compile("\\*\\*Applicable: (\\d+) of (\\d+)\\. Present: (\\d+) of the "
            + "(\\d+) applicable; missing: (\\d+)\\. Not applicable: (\\d+)\\.\\*\\*");
    private static final Pattern ONE_NAME = Pattern.compile("`([a-z0-9_]+)`");

    private record Row(String gunicorn, String qilin, String status) {
    }

    @Test
    void agreesWithTheRegistry() throws Exception {
        String doc = Files.readString(Path.of("../docs/gunicorn-parity.md"));
        Set<String> registry = Settings.ALL.stream().map(Setting::name).collect(Collectors.toSet());
        List<Row> rows = new ArrayList<>();
        for (Matcher m = ROW.matcher(doc); m.find();) {
            rows.add(new Row(m.group(1), m.group(2).trim(), m.group(3)));
        }
        assertThat(rows).hasSizeGreaterThan(100);
        for (Row r : rows) {
            if (r.status().equals("present")) {
                Matcher name = ONE_NAME.matcher(r.qilin());   // else words, for what is no setting (the app argument)
                if (name.lookingAt()) {
                    assertThat(registry).as("%s: Qilin's setting", r.gunicorn()).contains(name.group(1));
                }
            } else {
                assertThat(registry).as("%s is in the registry now: mark it present in docs/gunicorn-parity.md", r.gunicorn())
                        .doesNotContain(r.gunicorn());
            }
        }
        for (String name : registry) {
            assertThat(doc).as("docs/gunicorn-parity.md names Qilin's setting %s", name).contains("`" + name + "`");
        }
        long present = rows.stream().filter(r -> r.status().equals("present")).count();
        long missing = rows.stream().filter(r -> r.status().equals("missing")).count();
        Matcher counts = COUNTS.matcher(doc);
        assertThat(counts.find()).as("the counts line").isTrue();
        assertThat(List.of(counts.group(1), counts.group(2), counts.group(3), counts.group(4), counts.group(5), counts.group(6)))
                .as("the counts at the top of docs/gunicorn-parity.md").containsExactly(Long.toString(present + missing),
                        Integer.toString(rows.size()), Long.toString(present), Long.toString(present + missing),
                        Long.toString(missing), Long.toString(rows.size() - present - missing));
    }
}
