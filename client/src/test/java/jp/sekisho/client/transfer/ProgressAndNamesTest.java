package jp.sekisho.client.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

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

    @Test
    void withoutATerminalNothingIsPrinted() {
        Progress p = Progress.none();
        p.start(10, 0);
        p.update(5);
        p.finish(10); // no writer: nothing to throw on, nothing printed
    }

    @Test
    void receivedFileNamesLoseFoldersAndTheEnvelopeSuffix() {
        assertEquals("residents.csv", ReceiveCommand.outputName("residents.csv.cms", "t1"));
        assertEquals("passwd", ReceiveCommand.outputName("../../etc/passwd", "t1"));
        assertEquals("x.csv", ReceiveCommand.outputName("C:\\temp\\x.csv", "t1"));
        assertEquals("bashrc", ReceiveCommand.outputName(".bashrc", "t1"));
        assertEquals("transfer-t1", ReceiveCommand.outputName("..", "t1"));
        assertEquals("transfer-t1", ReceiveCommand.outputName(null, "t1"));
    }

    @Test
    void placingAFileNeverOverwritesOne() throws Exception {
        Files.writeString(dir.resolve("r.csv"), "old");
        Path a = Files.writeString(dir.resolve(".a"), "new1");
        Path b = Files.writeString(dir.resolve(".b"), "new2");
        assertEquals(dir.resolve("r-1.csv"), ReceiveCommand.place(a, dir, "r.csv"));
        assertEquals(dir.resolve("r-2.csv"), ReceiveCommand.place(b, dir, "r.csv"));
        assertEquals("old", Files.readString(dir.resolve("r.csv")));
        assertEquals("new2", Files.readString(dir.resolve("r-2.csv")));
        assertTrue(Files.notExists(a) && Files.notExists(b));
    }
}
