package jp.sekisho.client;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which commands warm the bulk crypto up, and that the warm-up's records really go through. */
class PrewarmTest {

    @TempDir
    Path dir;

    @Test
    void aSendSealOrOpenOfALargeFileWarmsUpAndOfASmallOneDoesNot() throws IOException {
        Path large = sparse("large.bin", Prewarm.BULK_BYTES + 1);
        Path small = sparse("small.csv", Prewarm.BULK_BYTES);

        assertTrue(Prewarm.bulk("send", "--route", "r", "--file", large.toString()));
        assertTrue(Prewarm.bulk("send", "--route", "r", "--encrypted=" + large));
        assertTrue(Prewarm.bulk("seal", "--in", large.toString(), "--out", "x.cms"));
        assertTrue(Prewarm.bulk("open", "--in=" + large, "--out", "x"));

        assertFalse(Prewarm.bulk("send", "--route", "r", "--file", small.toString()));
        assertFalse(Prewarm.bulk("seal", "--in", small.toString(), "--out", large.toString()));
        assertFalse(Prewarm.bulk(
                "send", "--route", "r", "--file", dir.resolve("missing.csv").toString()));
        assertFalse(Prewarm.bulk("send", "--route", "r", "--file")); // the command reports the missing value
        assertFalse(Prewarm.bulk("send", "--route", "r", "--file", "\0"));
    }

    @Test
    void theAgentAndAPollingReceiveWarmUpAndAOneShotReceiveOnlyWhenHandedOver() {
        assertTrue(Prewarm.bulk("agent", "--config", "agent.yml"));
        assertTrue(Prewarm.bulk("receive", "--route", "r", "--out", "in"));
        String before = System.getProperty(FullJit.HANDED_OVER_PROPERTY);
        try {
            System.clearProperty(FullJit.HANDED_OVER_PROPERTY);
            assertFalse(Prewarm.bulk("receive", "--route", "r", "--out", "in", "--once"));
            System.setProperty(FullJit.HANDED_OVER_PROPERTY, "true");
            assertTrue(Prewarm.bulk("receive", "--route", "r", "--out", "in", "--once"));
        } finally {
            if (before == null) {
                System.clearProperty(FullJit.HANDED_OVER_PROPERTY);
            } else {
                System.setProperty(FullJit.HANDED_OVER_PROPERTY, before);
            }
        }
    }

    @Test
    void theWarmUpRecordsEncryptAndDecryptAsTlsRecords() {
        // run() drops failures, so a record layout the JDK refuses (a tag that does not verify, a
        // nonce used twice) would silently warm nothing: call the parts directly
        assertDoesNotThrow(() -> BulkCryptoWarmup.gcmRecords(300));
        assertDoesNotThrow(() -> BulkCryptoWarmup.sha256(10));
    }

    private Path sparse(String name, long size) throws IOException {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
        assertTrue(Files.size(p) == size);
        return p;
    }
}
