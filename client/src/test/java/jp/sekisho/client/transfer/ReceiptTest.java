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

    @Test
    void printedFieldsShowControlsVisiblyAndKeepJapanese() {
        Receipt r = Receipt.parse("{\"transferId\":\"t1\",\"route\":\"r1\\r\\nstate:     ACKNOWLEDGED\","
                + "\"approvalRef\":\"2総政第158号\\u001b[2J\\u202e\",\"sender\":\"CN=山田\\u0007\"}");
        java.io.StringWriter w = new java.io.StringWriter();
        r.print(new java.io.PrintWriter(w), null);
        String out = w.toString();
        assertTrue(out.contains("route:     r1\\x0d\\x0astate:     ACKNOWLEDGED\n"), out);
        assertTrue(out.contains("approval:  2総政第158号\\x1b[2J\\u202e\n"), out);
        assertTrue(out.contains("sender:    CN=山田\\x07\n"), out);
        assertEquals(12, out.lines().count(), "one line per field: " + out);
    }

    @Test
    void aReceiptOfAnyNodeVerifiesWithTheClustersKeys(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        jp.sekisho.audit.chain.AuditSigningKey gw1 = jp.sekisho.audit.chain.AuditSigningKey.generate();
        jp.sekisho.audit.chain.AuditSigningKey gw2 = jp.sekisho.audit.chain.AuditSigningKey.generate();
        gw1.writeTo(dir.resolve("gw1/audit-signing.key"));
        gw2.writeTo(dir.resolve("gw2/audit-signing.key"));
        String body = "{\"transferId\":\"t2\",\"node\":\"gw2\"}";
        String sig = gw2.signStatement(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Receipt r = Receipt.parse(body.substring(0, body.length() - 1) + ",\"signature\":\"" + sig + "\"}");

        java.nio.file.Path keys = java.nio.file.Files.createDirectories(dir.resolve("keys"));
        java.nio.file.Files.copy(dir.resolve("gw1/audit-signing.pub.pem"), keys.resolve("gw1.pem"));
        java.nio.file.Files.copy(dir.resolve("gw2/audit-signing.pub.pem"), keys.resolve("gw2.pem"));
        r.verifyWith(keys); // a folder holding gw2's key among others
        java.nio.file.Path both = dir.resolve("both.pem");
        java.nio.file.Files.writeString(
                both,
                java.nio.file.Files.readString(keys.resolve("gw1.pem"))
                        + java.nio.file.Files.readString(keys.resolve("gw2.pem")));
        r.verifyWith(both); // one file with several keys

        CliException e = assertThrows(CliException.class, () -> r.verifyWith(dir.resolve("gw1/audit-signing.pub.pem")));
        assertEquals(ExitCode.REFUSED, e.exitCode());
        assertTrue(e.getMessage().startsWith("RECEIPT_SIGNATURE_INVALID: "), e.getMessage());
    }
}
