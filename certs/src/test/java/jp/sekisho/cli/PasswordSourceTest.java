package jp.sekisho.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every password a command takes comes from one source, and argv only with a warning. */
class PasswordSourceTest {

    static final PasswordSource SOURCE =
            new PasswordSource("--key-password-file", "--key-password-env", "--key-password", "SEKISHO_KEY_PASSWORD");

    @TempDir
    Path dir;

    final StringWriter err = new StringWriter();

    char[] read(Path file, String env, String argv, Map<String, String> environment) {
        return SOURCE.read(file, env, argv, "sekisho receive", new PrintWriter(err, true), environment::get);
    }

    @Test
    void aFilesFirstLineWithoutItsLineEnd() throws IOException {
        Path f = Files.writeString(dir.resolve("pw"), "秘密-1\r\nsecond line\n");
        assertArrayEquals("秘密-1".toCharArray(), read(f, null, null, Map.of()));
        assertEquals("", err.toString(), "no warning for a file");
    }

    @Test
    void aNamedVariableAndTheDefaultOne() {
        assertArrayEquals("from-env".toCharArray(), read(null, "MY_PW", null, Map.of("MY_PW", "from-env")));
        assertArrayEquals("default".toCharArray(), read(null, null, null, Map.of("SEKISHO_KEY_PASSWORD", "default")));
        assertArrayEquals(new char[0], read(null, null, null, Map.of()));
        CliException unset = assertThrows(CliException.class, () -> read(null, "MY_PW", null, Map.of()));
        assertTrue(unset.getMessage().contains("MY_PW") && unset.getMessage().contains("not set"), unset.getMessage());
    }

    @Test
    void argvWorksButWarnsThatPsShowsIt() {
        assertArrayEquals("p".toCharArray(), read(null, null, "p", Map.of()));
        assertTrue(err.toString().contains("--key-password") && err.toString().contains("ps"), err.toString());
    }

    @Test
    void twoSourcesAtOnceAreRefusedAndAnEmptyFileToo() throws IOException {
        Path f = Files.writeString(dir.resolve("pw"), "x\n");
        CliException both = assertThrows(CliException.class, () -> read(f, null, "p", Map.of()));
        assertTrue(both.getMessage().contains("at most one"), both.getMessage());
        Path empty = Files.writeString(dir.resolve("empty"), "");
        CliException none = assertThrows(CliException.class, () -> read(empty, null, null, Map.of()));
        assertTrue(none.getMessage().contains("empty"), none.getMessage());
    }
}
