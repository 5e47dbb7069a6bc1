package jp.sekisho.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launchers' choice of JIT tiers (sekisho-java.sh's jit_options, issue 18): the quick tier only
 * for a command that is over within a second, the full JIT wherever the work grows with the data.
 * Run through bash with the real script, as both launchers source it.
 */
class JitChoiceTest {

    private static final String QUICK = "-XX:TieredStopAtLevel=1 -XX:-UsePerfData -XX:+UseSerialGC";

    @TempDir
    Path dir;

    @Test
    void aSmallFileIsSentSealedAndOpenedWithTheQuickTier() throws Exception {
        Path small = Files.write(dir.resolve("small.csv"), new byte[200_000]);
        assertEquals(QUICK, jit("send", "--route", "r", "--file", small.toString()));
        assertEquals(QUICK, jit("send", "--file=" + small, "--route", "r"));
        assertEquals(QUICK, jit("send", "--route", "r", "--encrypted", small.toString()));
        assertEquals(QUICK, jit("seal", "--in", small.toString(), "--out", "x.cms", "--to", "r.pem"));
        assertEquals(QUICK, jit("open", "--in=" + small, "--out", "x"));
    }

    @Test
    void aFileOverEightMebibytesGetsTheFullJitForItsCryptoIntrinsics() throws Exception {
        Path exactly = sparse("8m.bin", 8L << 20);
        Path over = sparse("big.bin", (8L << 20) + 1);
        assertEquals(QUICK, jit("send", "--route", "r", "--file", exactly.toString()));
        assertEquals("", jit("send", "--route", "r", "--file", over.toString()));
        assertEquals("", jit("seal", "--in=" + over, "--out", "x.cms"));
        assertEquals("", jit("open", "--in", over.toString()));
    }

    @Test
    void aFileThatCannotBeSizedGetsTheFullJitAndItsOwnErrorFromTheCommand() throws Exception {
        assertEquals(
                "",
                jit("send", "--route", "r", "--file", dir.resolve("missing.csv").toString()));
        assertEquals("", jit("send", "--route", "r", "--file"));
        assertEquals("", jit("send", "--route", "r", "--file", dir.toString()));
        assertEquals("", jit("send", "--help"));
    }

    @Test
    void commandsThatRunLongOrOnDataOfUnknownSizeKeepTheFullJit() throws Exception {
        for (String command : List.of("gateway", "agent", "demo", "audit", "report", "certs", "dummy")) {
            assertEquals("", jit(command, "--once"), command);
        }
        assertEquals("", jit("receive", "--route", "r", "--out", "in"));
    }

    @Test
    void receiveOnceStartsOnTheQuickTierAndHandsLargeInboxesOverItself() throws Exception {
        // the hand-over is the receive's own (jp.sekisho.client.FullJit, tested in the client module)
        assertEquals(QUICK, jit("receive", "--route", "r", "--out", "in", "--once"));
        assertEquals(QUICK, jit("receive", "--once"));
    }

    @Test
    void adminCommandsHelpAndVersionUseTheQuickTier() throws Exception {
        assertEquals(QUICK, jit("approvals", "list"));
        assertEquals(QUICK, jit("routes", "list"));
        assertEquals(QUICK, jit("--version"));
        assertEquals(QUICK, jit("help", "send"));
        assertEquals(QUICK, jit());
    }

    @Test
    void theUsersOwnCollectorIsNeverDoubledWithTheSerialOne() throws Exception {
        // the JVM refuses to start with two collectors chosen
        assertEquals(
                "-XX:TieredStopAtLevel=1 -XX:-UsePerfData",
                jit(Map.of("SEKISHO_JAVA_OPTS", "-Xmx1g -XX:+UseG1GC"), "approvals", "list"));
        assertEquals(QUICK, jit(Map.of("SEKISHO_JAVA_OPTS", "-XX:+UseStringDeduplication"), "approvals", "list"));
    }

    @Test
    void theTierIsTheSameOnEveryJava() throws Exception {
        // the AOT cache's own options (no replay of its training's compilations) come with the cache,
        // from cds_options: CdsOptionsTest
        assertEquals(QUICK, jit(Map.of("JAVA_MAJOR", "25"), "receive", "--once"));
        assertEquals(QUICK, jit(Map.of("JAVA_MAJOR", "21"), "receive", "--once"));
        assertEquals("", jit(Map.of("JAVA_MAJOR", "25"), "agent"));
    }

    private Path sparse(String name, long size) throws IOException {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
        return p;
    }

    /** What jit_opts prints for these arguments. */
    private static String jit(String... args) throws Exception {
        return jit(Map.of(), args);
    }

    /** The same, with these variables set (JAVA_MAJOR as choose_java leaves it, SEKISHO_JAVA_OPTS). */
    private static String jit(Map<String, String> env, String... args) throws Exception {
        return LauncherScript.call("jit_opts", env, args);
    }
}
