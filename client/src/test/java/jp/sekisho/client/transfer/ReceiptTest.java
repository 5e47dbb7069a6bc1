package jp.sekisho.client.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import org.junit.jupiter.api.Test;

/** Reading a receipt: one meaning per member, or none at all. */
class ReceiptTest {

    static final String SHA = "ab".repeat(32);

    @Test
    void aReceiptReadsItsMembers() {
        Receipt r = Receipt.parse(
                "{\"transferId\":\"t1\",\"size\":42,\"sha256\":\"" + SHA + "\",\"signature\":\"c2ln\"}\n");
        assertEquals("t1", r.get("transferId"));
        assertEquals("42", r.get("size"));
        assertEquals(SHA, r.get("sha256"));
    }

    @Test
    void aDuplicatedMemberIsRefusedNotResolvedToOneOfItsValues() {
        // the lenient parser kept the last sha256 while the signed bytes held both
        CliException e = assertThrows(
                CliException.class,
                () -> Receipt.parse("{\"transferId\":\"t1\",\"sha256\":\"" + "00".repeat(32) + "\",\"sha256\":\"" + SHA
                        + "\",\"signature\":\"c2ln\"}"));
        assertEquals(ExitCode.UNAVAILABLE, e.exitCode());
        assertTrue(
                e.getMessage().startsWith("the gateway's receipt is not JSON: invalid JSON at offset ")
                        && e.getMessage().contains("Duplicate field 'sha256'"),
                e.getMessage());
    }

    @Test
    void garbageAfterTheReceiptIsRefused() {
        CliException e = assertThrows(
                CliException.class, () -> Receipt.parse("{\"transferId\":\"t1\"} {\"transferId\":\"t2\"}"));
        assertTrue(e.getMessage().contains("trailing characters"), e.getMessage());
    }
}
