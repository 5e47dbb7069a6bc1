package jp.sekisho.client.transfer;

import static jp.sekisho.client.support.HandOffWorld.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jp.sekisho.client.CliRun;
import jp.sekisho.client.Sekisho;
import jp.sekisho.client.dummy.ResidentGenerator;
import jp.sekisho.client.support.HandOffWorld;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: {@code receive --once} started on the JIT's quick tier (as the launchers start it) hands
 * an inbox larger than that tier opens well over to a JVM with the full JIT (jp.sekisho.client.FullJit),
 * before it downloads or acknowledges anything; the file arrives once either way. Real gateway, real
 * child JVMs; the limit is lowered to 1 KiB so that a small CSV crosses it.
 */
class ReceiveHandOverTest {

    private static final String ROUTE = "handover-route";
    private static final String HANDING_OVER = "引継ぎ / hand-over (full JIT)";

    @TempDir
    static Path dir;

    static HandOffWorld world;

    @BeforeAll
    static void start() throws Exception {
        world = HandOffWorld.start(dir, new HandOffWorld.Approval("2総政第181号", ROUTE, "引継ぎ試験", 100_000, "承認"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void aLargerInboxOnTheQuickTierIsReceivedOnceByAFullJitJvm() throws Exception {
        Path csv = sent("large.csv", 3000);
        Path out = Files.createDirectories(dir.resolve("in-large"));
        String log = receiveInChildJvm(out, "-XX:TieredStopAtLevel=1", "-Dsekisho.quickTierMaxBytes=1024");
        assertEquals(1, count(log, HANDING_OVER), "handed over once, and the child did not hand over again:\n" + log);
        assertEquals(2, count(log, "所要時間 / timings:"), "the quick JVM's steps, then the child's own:\n" + log);
        assertDeliveredOnce(out, csv, log);
    }

    @Test
    void aSmallInboxIsReceivedOnTheQuickTierItself() throws Exception {
        Path csv = sent("small.csv", 50);
        Path out = Files.createDirectories(dir.resolve("in-small"));
        String log = receiveInChildJvm(out, "-XX:TieredStopAtLevel=1");
        assertEquals(0, count(log, HANDING_OVER), log);
        assertDeliveredOnce(out, csv, log);
    }

    @Test
    void aJvmWithTheFullJitNeverHandsOver() throws Exception {
        Path csv = sent("full.csv", 3000);
        Path out = Files.createDirectories(dir.resolve("in-full"));
        String log = receiveInChildJvm(out, "-Dsekisho.quickTierMaxBytes=1024");
        assertEquals(0, count(log, HANDING_OVER), log);
        assertDeliveredOnce(out, csv, log);
    }

    /** A CSV of {@code rows} dummy residents, sent on the route; the inbox holds it alone afterwards. */
    private static Path sent(String name, int rows) throws Exception {
        Path csv = dir.resolve(name);
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            new ResidentGenerator(rows).write(w, rows);
        }
        ok(CliRun.of(world.sendArgs(ROUTE, csv)));
        return csv;
    }

    @Test
    void aPasswordFromAFifoReachesTheChildWhichCouldNotReadItAgain() throws Exception {
        Path csv = sent("fifo.csv", 3000);
        Path out = Files.createDirectories(dir.resolve("in-fifo"));
        List<String> args = lockedReceiveArgs(out);
        Path fifo = dir.resolve("password.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor(), "mkfifo");
        args.addAll(List.of("--password-file", fifo.toString()));
        // the password to the first reader, then a wrong one to a second: a FIFO is read once
        Thread writer = new Thread(() -> {
            try {
                Files.writeString(fifo, PASSWORD + "\n");
                Files.writeString(fifo, "wrong\n");
            } catch (java.io.IOException e) {
                // the test ended
            }
        });
        writer.setDaemon(true);
        writer.start();
        try {
            String log = receiveInChildJvm(out, args, "-XX:TieredStopAtLevel=1", "-Dsekisho.quickTierMaxBytes=1024");
            assertEquals(1, count(log, HANDING_OVER), log);
            assertDeliveredOnce(out, csv, log);
        } finally {
            if (writer.isAlive()) {
                Files.readAllBytes(fifo); // lets the writer's second open end
            }
        }
    }

    @Test
    void aPasswordOnTheCommandLineIsWarnedAboutOnceAndNotHandedOnThere() throws Exception {
        Path csv = sent("argv.csv", 3000);
        Path out = Files.createDirectories(dir.resolve("in-argv"));
        List<String> args = lockedReceiveArgs(out);
        args.addAll(List.of("--identity-password", PASSWORD));
        String log = receiveInChildJvm(out, args, "-XX:TieredStopAtLevel=1", "-Dsekisho.quickTierMaxBytes=1024");
        assertEquals(1, count(log, HANDING_OVER), log);
        assertEquals(1, count(log, "warning: --identity-password"), "warned by the first JVM only:\n" + log);
        assertDeliveredOnce(out, csv, log);
    }

    private static final String PASSWORD = "s3cret-Passw0rd"; // ASCII: the JDK's PKCS#12 PBE takes no other

    /** {@code receive --once --timings} into {@code out} with a password-protected copy of the contractor's identity. */
    private static List<String> lockedReceiveArgs(Path out) throws Exception {
        List<String> args = new ArrayList<>(world.receiveArgs(ROUTE, out, "--timings"));
        int at = args.indexOf("--identity") + 1;
        args.set(at, withPassword(Path.of(args.get(at)), PASSWORD).toString());
        return args;
    }

    /** A copy of the empty-password PKCS#12 file {@code p12}, protected by {@code password} (the JDK's defaults). */
    private static Path withPassword(Path p12, String password) throws Exception {
        java.security.KeyStore open = java.security.KeyStore.getInstance("PKCS12");
        try (java.io.InputStream in = Files.newInputStream(p12)) {
            open.load(in, new char[0]);
        }
        java.security.KeyStore locked = java.security.KeyStore.getInstance("PKCS12");
        locked.load(null, null);
        for (String alias : java.util.Collections.list(open.aliases())) {
            if (open.isKeyEntry(alias)) {
                locked.setKeyEntry(
                        alias,
                        open.getKey(alias, new char[0]),
                        password.toCharArray(),
                        open.getCertificateChain(alias));
            } else {
                locked.setCertificateEntry(alias, open.getCertificate(alias));
            }
        }
        Path out = p12.resolveSibling("locked-" + p12.getFileName());
        try (java.io.OutputStream o = Files.newOutputStream(out)) {
            locked.store(o, password.toCharArray());
        }
        return out;
    }

    /** {@code sekisho receive --once --timings} in a JVM of its own with these options; its output. */
    private static String receiveInChildJvm(Path out, String... jvmOptions) throws Exception {
        return receiveInChildJvm(out, world.receiveArgs(ROUTE, out, "--timings"), jvmOptions);
    }

    /** {@code sekisho ARGS} in a JVM of its own with these options; its output. */
    private static String receiveInChildJvm(Path out, List<String> args, String... jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Sekisho.class.getName()));
        cmd.addAll(args);
        Path log = out.resolveSibling(out.getFileName() + ".log");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "receive did not finish");
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        return text;
    }

    private static void assertDeliveredOnce(Path out, Path csv, String log) throws Exception {
        Path written = out.resolve(csv.getFileName());
        assertEquals(-1L, Files.mismatch(csv, written), "byte-identical:\n" + log);
        assertEquals(1, count(log, "received "), "received once:\n" + log);
        assertEquals(
                0,
                world.client("contractor")
                        .get("api/v1/routes/" + ROUTE + "/inbox")
                        .array()
                        .size(),
                "acknowledged: nothing left waiting");
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }
}
