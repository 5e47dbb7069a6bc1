package jp.sekisho.certs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jp.sekisho.cli.CliException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A password file: its first line, read within a bound. */
class PassphrasesTest {

    @TempDir
    Path dir;

    @Test
    void theFirstLineWithoutItsLineBreakIsThePassword() throws Exception {
        Path f = dir.resolve("pw");
        Files.writeString(f, "合言葉 s3cret\r\nsecond line\n", StandardCharsets.UTF_8);
        assertArrayEquals("合言葉 s3cret".toCharArray(), Passphrases.read(f, "--password-file"));
        Files.writeString(f, "no-newline", StandardCharsets.UTF_8);
        assertArrayEquals("no-newline".toCharArray(), Passphrases.read(f, "--password-file"));
    }

    @Test
    void aLongFirstLineIsPassedUpToTheBoundAndRefusedBeyondIt() throws Exception {
        Path f = dir.resolve("long");
        String atBound = "p".repeat(Passphrases.MAX_LINE_BYTES);
        Files.writeString(f, atBound + "\n" + "x".repeat(100_000), StandardCharsets.UTF_8);
        assertArrayEquals(atBound.toCharArray(), Passphrases.read(f, "--password-file"));
        Files.writeString(f, "p".repeat(Passphrases.MAX_LINE_BYTES + 10), StandardCharsets.UTF_8);
        CliException e = assertThrows(CliException.class, () -> Passphrases.read(f, "--password-file"));
        assertTrue(e.getMessage().contains("longer than 4096 bytes"), e.getMessage());
    }

    @Test
    void anEndlessFileIsNotReadWhole() {
        // /dev/zero has no line break and no end: refused after a few KiB, not read until memory runs out
        CliException e =
                assertThrows(CliException.class, () -> Passphrases.read(Path.of("/dev/zero"), "--password-file"));
        assertTrue(e.getMessage().contains("--password-file /dev/zero"), e.getMessage());
    }

    @Test
    void anEmptyFileIsRefused() throws Exception {
        Path f = Files.writeString(dir.resolve("empty"), "\n");
        assertThrows(CliException.class, () -> Passphrases.read(f, "--password-file"));
    }
}
