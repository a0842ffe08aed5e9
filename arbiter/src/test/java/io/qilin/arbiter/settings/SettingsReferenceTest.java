package io.qilin.arbiter.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/settings.md is generated from the registry; regenerate it with SettingsReference.main. */
class SettingsReferenceTest {

    @Test
    void theDocsAreUpToDate() throws Exception {
        Path docs = Path.of("../docs/settings.md");
        if (Boolean.getBoolean("qilin.regenerate.docs") || !Files.exists(docs)) {
            SettingsReference.main(new String[] {docs.toString()});
        }
        assertThat(Files.readString(docs)).as("docs/settings.md is out of date: run mvn -pl arbiter test "
                + "-Dqilin.regenerate.docs=true").isEqualTo(SettingsReference.markdown());
    }
}
