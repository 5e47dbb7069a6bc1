package jp.sekisho.envelope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A ~300 MB file sealed and opened in a JVM whose heap is 64 MB: nothing may hold the whole file. */
class ConstantMemoryTest {

    @TempDir
    Path dir;

    @Test
    void sealAndOpen300MbWith64MbHeap() throws Exception {
        TestPki pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        Credential sender = pki.client("city-sender");
        Credential contractor = pki.recipient("contractor");
        long size = 300L * 1024 * 1024 + 17;
        Path plain = Fixtures.randomFile(dir, "big.bin", size, 7);
        String expected = Fixtures.sha256(plain);
        for (String cipher : List.of("GCM", "CBC")) {
            Path out = dir.resolve("big." + cipher + ".out");
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    RoundTripMain.class.getName(),
                    plain.toString(),
                    dir.resolve("big.cms").toString(),
                    out.toString(),
                    sender.certificateFile().toString(),
                    contractor.certificateFile().toString(),
                    contractor.keyFile().toString(),
                    pki.caFile().toString(),
                    cipher));
            Path log = dir.resolve(cipher + ".log");
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "forked JVM timed out");
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), output);
            System.out.print(output);
            Matcher m = Pattern.compile("plaintext_sha256=(\\w+) heap_max_MB=(\\d+)")
                    .matcher(output);
            assertTrue(m.find(), output);
            assertEquals(expected, m.group(1), "reported digest");
            assertTrue(Integer.parseInt(m.group(2)) <= 64, output);
            assertEquals(size, Files.size(out));
            assertEquals(expected, Fixtures.sha256(out), "written file");
            Files.delete(out);
        }
    }
}
