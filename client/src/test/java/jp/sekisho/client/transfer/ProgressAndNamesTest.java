package jp.sekisho.client.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgressAndNamesTest {

    @TempDir
    Path dir;

    @Test
    void theBarRedrawsInPlaceAtMostEvery200MsAndEndsOnItsOwnLine() {
        StringWriter sw = new StringWriter();
        AtomicLong now = new AtomicLong();
        Progress p = new Progress(new PrintWriter(sw), "upload", now::get);
        p.start(100L << 20, 0);
        now.set(50_000_000L);
        p.update(10L << 20); // too soon: not drawn
        now.set(1_000_000_000L);
        p.update(50L << 20);
        p.finish(100L << 20);
        String s = sw.toString();
        assertEquals(3, s.chars().filter(c -> c == '\r').count(), s);
        assertTrue(s.contains(" 50% 50.0 MiB / 100.0 MiB 50.0 MiB/s ETA 0:01"), s);
        assertTrue(s.endsWith("100% 100.0 MiB / 100.0 MiB 100.0 MiB/s" + System.lineSeparator()), s);
    }

    /** Runs {@link ProgressProbe} in a JVM of its own; through {@code script} it gets a pseudo-terminal. */
    private static String[] probe(boolean terminal) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-cp", System.getProperty("java.class.path"), ProgressProbe.class.getName());
        if (terminal) {
            String line =
                    cmd.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
            cmd = List.of("script", "-q", "-e", "-c", line, "/dev/null");
        }
        Process p = new ProcessBuilder(cmd).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe timed out");
        assertEquals(0, p.exitValue(), out + err.get());
        // a JVM may announce JAVA_TOOL_OPTIONS on stderr; that is not the progress bar
        String errors =
                err.get().lines().filter(l -> !l.startsWith("Picked up ")).collect(Collectors.joining("\n"));
        return new String[] {out, errors};
    }

    @Test
    void withoutATerminalNothingIsPrinted() throws Exception {
        String[] piped = probe(false);
        assertEquals(
                "console=false" + System.lineSeparator() + "probe done" + System.lineSeparator(),
                piped[0],
                "stdout holds the probe's own lines and nothing of the bar");
        assertEquals("", piped[1], "nothing on stderr either");

        // the control: the same calls with a terminal do draw the bar, so the test above can see one
        String[] tty = probe(true);
        assertTrue(tty[0].contains("console=true"), tty[0]);
        assertTrue(tty[0].contains("\rupload [" + " ".repeat(30) + "]   0% 0 B / 100.0 MiB"), tty[0]);
        assertTrue(tty[0].contains("\rupload [##############################] 100% 100.0 MiB / 100.0 MiB"), tty[0]);
        assertTrue(tty[0].indexOf("100%") < tty[0].indexOf("probe done"), tty[0]);
    }

    @Test
    void receivedFileNamesLoseFoldersAndTheEnvelopeSuffix() {
        assertEquals("residents.csv", InboxItem.outputName("residents.csv.cms", "t1"));
        assertEquals("passwd", InboxItem.outputName("../../etc/passwd", "t1"));
        assertEquals("x.csv", InboxItem.outputName("C:\\temp\\x.csv", "t1"));
        assertEquals("bashrc", InboxItem.outputName(".bashrc", "t1"));
        assertEquals("transfer-t1", InboxItem.outputName("..", "t1"));
        assertEquals("transfer-t1", InboxItem.outputName(null, "t1"));
    }

    @Test
    void placingAFileNeverOverwritesOne() throws Exception {
        Files.writeString(dir.resolve("r.csv"), "old");
        Path a = Files.writeString(dir.resolve(".a"), "new1");
        Path b = Files.writeString(dir.resolve(".b"), "new2");
        ReceiveJournal journal = new ReceiveJournal(dir.resolve(".sekisho-partial"));
        Handoff handoff = new Handoff(null, "r", dir, journal);
        ReceiveJournal.Entry e = new ReceiveJournal.Entry(
                "t1", "r", "00", null, "11", 4, 1, "CN=s", "CN=s", ReceiveJournal.State.PLACING, Instant.now());
        assertEquals("r-1.csv", handoff.place(a, "r.csv", e).file());
        ReceiveJournal.Entry second = handoff.place(b, "r.csv", e.with(ReceiveJournal.State.PLACING, null));
        assertEquals("r-2.csv", second.file());
        assertEquals("old", Files.readString(dir.resolve("r.csv")));
        assertEquals("new2", Files.readString(dir.resolve("r-2.csv")));
        assertTrue(Files.notExists(a) && Files.notExists(b));
        assertEquals(java.util.Optional.of(second), journal.find("t1"), "the journal names the last file placed");
        assertEquals(ReceiveJournal.State.PLACED, second.state());
    }
}
