package jp.sekisho.client.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jp.sekisho.cli.CliException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeclaredRecordsTest {

    @TempDir
    Path dir;

    private static final RouteTerms TERMS = new RouteTerms(
            "kurume-benefit", "2総政第158号", List.of("name", "address"), 1_000_000, 1 << 30, false, List.of());

    private Path csv(String name, int rows) throws IOException {
        StringBuilder sb = new StringBuilder("name,address\n");
        for (int i = 0; i < rows; i++) {
            sb.append("山田 太郎").append(i).append(",\"福岡県久留米市\n").append(i).append("番\"\r\n");
        }
        Path f = dir.resolve(name);
        Files.writeString(f, sb, StandardCharsets.UTF_8);
        return f;
    }

    private static long declared(Path f, DeclaredRecords.Count count, Long given) {
        return DeclaredRecords.of(f, count, false, false, given, ItemsMap.identity(), TextEncoding.UTF_8, TERMS);
    }

    @Test
    void aLargeCsvIsCountedOnItsOwnThreadToTheSameCount() throws IOException {
        Path big = csv("big.csv", 60_000); // ~2.5 MB
        assertTrue(Files.size(big) >= DeclaredRecords.AHEAD_MIN_BYTES);
        DeclaredRecords.Count count = DeclaredRecords.countAhead(big, false, false);
        assertTrue(count.ahead());
        assertEquals(60_000, declared(big, count, null));
        assertEquals(CsvFile.countRecords(big), 60_000);
    }

    @Test
    void aSmallCsvOrAnEnvelopeStartsNoThread() throws IOException {
        Path small = csv("small.csv", 10);
        DeclaredRecords.Count count = DeclaredRecords.countAhead(small, false, false);
        assertFalse(count.ahead());
        assertEquals(10, declared(small, count, null));
        Path big = csv("big.csv", 60_000);
        assertFalse(DeclaredRecords.countAhead(big, false, true).ahead(), "--encrypted: never read as CSV");
        assertFalse(DeclaredRecords.countAhead(dir.resolve("gone.csv"), false, false)
                .ahead());
    }

    @Test
    void aCountAheadStillDisagreesWithAWrongRecordsOption() throws IOException {
        Path big = csv("big.csv", 60_000);
        CliException e = assertThrows(
                CliException.class, () -> declared(big, DeclaredRecords.countAhead(big, false, false), 59_999L));
        assertTrue(e.getMessage().contains("holds 60000 records"), e.getMessage());
    }

    @Test
    void aCancelledCountIsNotWaitedFor() throws IOException {
        // 2 GiB (sparse, no disk): a count that cannot have ended by the time it is cancelled. A real
        // 60,000-row file could be counted before cancel() on a quiet machine, and get() then answered.
        Path big = dir.resolve("big.csv");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(2L << 30);
        }
        DeclaredRecords.Count count = DeclaredRecords.countAhead(big, false, false);
        assertTrue(count.ahead(), "counted on its own thread");
        count.cancel();
        assertThrows(java.util.concurrent.CancellationException.class, count::get);
    }
}
