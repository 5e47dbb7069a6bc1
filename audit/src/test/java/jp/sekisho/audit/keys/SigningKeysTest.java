package jp.sekisho.audit.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.OffsetDateTime;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.cli.AuditCommand;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.audit.support.TestEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 15, item 2: two nodes with their own keys on one store verify over the store and offline with a key set;
 * a node's missing or foreign key stops its start; rotate-key is recorded and reported; a key row added beside
 * the chain is a forgery. Real PostgreSQL, the real command line.
 */
class SigningKeysTest {

    @TempDir
    Path dir;

    ExternalPostgres pg;
    Path gw1;
    Path gw2;

    record Run(int code, String out, String err) {}

    @BeforeEach
    void twoNodes() throws Exception {
        pg = ExternalPostgres.create();
        gw1 = Files.createDirectories(dir.resolve("gw1"));
        gw2 = Files.createDirectories(dir.resolve("gw2"));
        write(gw1, "gw1", 12);
        write(gw2, "gw2", 9);
    }

    @AfterEach
    void drop() throws Exception {
        pg.close();
    }

    private void write(Path nodeDir, String node, int events) throws Exception {
        try (AuditStore store = pg.openStore(nodeDir, node, 4)) {
            for (int i = 0; i < events; i++) {
                store.log().record(TestEvents.allowed(i));
            }
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new AuditCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private String yaml(Path nodeDir) {
        return nodeDir.resolve("gateway.yml").toString();
    }

    private Path key(Path nodeDir) {
        return nodeDir.resolve("data/audit-signing.key");
    }

    private Path pub(Path nodeDir) {
        return nodeDir.resolve("data/audit-signing.pub.pem");
    }

    private Path export() {
        Path file = dir.resolve("both.jsonl");
        Run e = run("export", "--config", yaml(gw1), "--format", "jsonl", "--out", file.toString());
        assertEquals(0, e.code(), e.err());
        return file;
    }

    private Path keysDir(Path... pems) throws Exception {
        Path d = Files.createDirectories(dir.resolve("keys-" + System.nanoTime()));
        int i = 0;
        for (Path p : pems) {
            Files.copy(p, d.resolve("node" + i++ + ".pem"));
        }
        return d;
    }

    @Test
    void twoNodesVerifyOverTheStoreAndOfflineWithTheirKeys() throws Exception {
        Run store = run("verify", "--config", yaml(gw1));
        assertEquals(0, store.code(), store.out() + store.err());
        assertTrue(store.out().startsWith("OK: "), store.out());

        Path file = export();
        Run offline = run(
                "verify",
                "--file",
                file.toString(),
                "--keys",
                keysDir(pub(gw1), pub(gw2)).toString());
        assertEquals(0, offline.code(), offline.out() + offline.err());

        Run own = run("verify", "--file", file.toString());
        assertEquals(0, own.code(), own.out() + own.err());
        assertTrue(own.out().contains("the export itself carries"), own.out());

        Run oneNode = run("verify", "--file", file.toString(), "--node", "gw2", "--key", pub(gw2).toString());
        assertEquals(0, oneNode.code(), oneNode.out() + oneNode.err());

        Run wrong = run(
                "verify", "--file", file.toString(), "--keys", keysDir(pub(gw1)).toString());
        assertEquals(AuditCommand.FAILED, wrong.code(), wrong.out());
        assertTrue(wrong.out().contains("not registered for node gw2"), wrong.out());

        // gw2's key offered for gw1's chain: the chain binds gw1 to its own key
        Path swapped = keysDir(pub(gw2));
        Run foreign = run("verify", "--file", file.toString(), "--node", "gw1", "--keys", swapped.toString());
        assertEquals(AuditCommand.FAILED, foreign.code(), foreign.out());
        assertTrue(foreign.out().contains("not registered for node gw1"), foreign.out());
    }

    @Test
    void aMissingKeyStopsTheStartInOneLine() throws Exception {
        Files.delete(key(gw1));
        AuditKeyException e = assertThrows(AuditKeyException.class, () -> pg.openStore(gw1, "gw1", 4));
        assertEquals(AuditKeyException.MISSING, e.code());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith("AUDIT_KEY_MISSING: 監査署名鍵 "), e.getMessage());
        assertTrue(e.getMessage().contains("restore the key from backup"), e.getMessage());
        assertFalse(Files.exists(key(gw1)), "no new key made silently");
    }

    @Test
    void anotherKeyFileIsAMismatch() throws Exception {
        Files.delete(key(gw1));
        Files.delete(pub(gw1));
        AuditSigningKey.generate().writeTo(key(gw1));
        AuditKeyException e = assertThrows(AuditKeyException.class, () -> pg.openStore(gw1, "gw1", 4));
        assertEquals(AuditKeyException.MISMATCH, e.code());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void rotationWithTheOldKeyIsSignedAndReported() throws Exception {
        String oldId = AuditSigningKey.load(key(gw1)).keyId();
        Run r = run("rotate-key", "--config", yaml(gw1), "--reason", "定期交換 / scheduled");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("(signed by the old key)"), r.out());
        Path retired = gw1.resolve("data/audit-signing.key.retired-" + oldId);
        assertTrue(Files.exists(retired), "old key kept");
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(retired));
        String newId = AuditSigningKey.load(key(gw1)).keyId();
        write(gw1, "gw1", 5); // the node starts again with its new key

        Run v = run("verify", "--config", yaml(gw1));
        assertEquals(0, v.code(), v.out() + v.err());
        assertTrue(
                v.out().contains("ROTATED: gw1 key " + oldId + " → " + newId + " at gw1#")
                        && v.out().contains("(signed by the old key)"),
                v.out());

        Path file = export();
        Run offline = run(
                "verify",
                "--file",
                file.toString(),
                "--keys",
                keysDir(pub(gw1), gw1.resolve("data/audit-signing.pub.pem.retired-" + oldId), pub(gw2))
                        .toString());
        assertEquals(0, offline.code(), offline.out() + offline.err());
        assertTrue(offline.out().contains("ROTATED: gw1"), offline.out());
    }

    @Test
    void rotationAfterTheKeyWasLostIsReportedUnsigned() throws Exception {
        Files.delete(key(gw1));
        Run r = run("rotate-key", "--config", yaml(gw1), "--reason", "鍵の紛失 / key lost");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("(old key lost: not signed)"), r.out());
        write(gw1, "gw1", 3);
        Run v = run("verify", "--config", yaml(gw1));
        assertEquals(0, v.code(), v.out() + v.err());
        assertTrue(v.out().contains("ROTATED: gw1") && v.out().contains("(old key lost: not signed)"), v.out());
    }

    @Test
    void aKeyRowWithoutItsChainEventIsAForgery() throws Exception {
        AuditSigningKey forged = AuditSigningKey.generate();
        RegisteredKey row =
                RegisteredKey.of("gw1", forged.publicKey(), KeyOrigin.ADOPTED, "gw1/mallory", java.time.Instant.now());
        try (Connection c = pg.superuser();
                PreparedStatement ps = c.prepareStatement("INSERT INTO audit_signing_key (node_id, key_id, algorithm,"
                        + " public_key_pem, fingerprint, registered_at, registered_by, origin, retired_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, row.nodeId());
            ps.setString(2, row.keyId());
            ps.setString(3, row.algorithm());
            ps.setString(4, row.publicKeyPem());
            ps.setString(5, row.fingerprint());
            ps.setObject(6, OffsetDateTime.now(java.time.ZoneOffset.UTC));
            ps.setString(7, row.registeredBy());
            ps.setString(8, row.origin().stored());
            ps.setObject(9, OffsetDateTime.now(java.time.ZoneOffset.UTC));
            ps.executeUpdate();
        }
        Run v = run("verify", "--config", yaml(gw1));
        assertEquals(AuditCommand.FAILED, v.code(), v.out());
        assertTrue(v.out().contains("key " + forged.keyId() + " is registered for node gw1"), v.out());
        assertTrue(v.out().contains("forged"), v.out());
    }

    @Test
    void rotationIsRefusedWhileTheNodeRuns() throws Exception {
        try (AuditStore running = pg.openStore(gw1, "gw1", 4)) {
            Run r = run("rotate-key", "--config", yaml(gw1), "--reason", "while running");
            assertEquals(AuditCommand.FAILED, r.code(), r.out() + r.err());
            assertTrue(r.err().contains(AuditKeyException.NODE_IN_USE), r.err());
            // a second gateway with the same node-id is refused the same way
            AuditKeyException twice = assertThrows(AuditKeyException.class, () -> pg.openStore(gw1, "gw1", 4));
            assertEquals(AuditKeyException.NODE_IN_USE, twice.code());
        }
        assertTrue(Files.exists(key(gw1)), "the key is untouched");
    }

    @Test
    void anInstallFromBeforeTheRegistryIsAdoptedWhenItsKeySignedTheChain() throws Exception {
        try (Connection c = pg.superuser();
                Statement s = c.createStatement()) {
            // as before migration V4: no row for gw1 (the test owner lifts the append-only trigger to remove it)
            s.execute("ALTER TABLE audit_signing_key DISABLE TRIGGER audit_signing_key_no_delete");
            s.execute("DELETE FROM audit_signing_key WHERE node_id = 'gw1'");
            s.execute("ALTER TABLE audit_signing_key ENABLE TRIGGER audit_signing_key_no_delete");
        }
        write(gw1, "gw1", 2);
        try (Connection c = pg.superuser()) {
            RegisteredKey adopted = KeyRegistry.active(c, "gw1");
            assertEquals(KeyOrigin.ADOPTED, adopted.origin());
            assertEquals(AuditSigningKey.load(key(gw1)).keyId(), adopted.keyId());
        }
        Run v = run("verify", "--config", yaml(gw1));
        assertEquals(0, v.code(), v.out() + v.err());
    }

    @Test
    void aRotationCutShortBeforeItsFileSwapIsFinishedByTheNextRun() throws Exception {
        String oldId = AuditSigningKey.load(key(gw1)).keyId();
        assertEquals(
                0,
                run("rotate-key", "--config", yaml(gw1), "--reason", "cut short")
                        .code());
        // as if the run had died after the registry changed, before the files were swapped
        Path data = gw1.resolve("data");
        Files.move(key(gw1), data.resolve("audit-signing.key.new"));
        Files.move(pub(gw1), data.resolve("audit-signing.key.new.pub.pem"));
        Files.move(data.resolve("audit-signing.key.retired-" + oldId), key(gw1));
        Files.move(data.resolve("audit-signing.pub.pem.retired-" + oldId), pub(gw1));
        AuditKeyException e = assertThrows(AuditKeyException.class, () -> pg.openStore(gw1, "gw1", 4));
        assertEquals(AuditKeyException.MISMATCH, e.code());

        Run again = run("rotate-key", "--config", yaml(gw1), "--reason", "finish it");
        assertEquals(0, again.code(), again.out() + again.err());
        assertTrue(again.out().contains("finished an interrupted rotation"), again.out());
        write(gw1, "gw1", 2);
        Run v = run("verify", "--config", yaml(gw1));
        assertEquals(0, v.code(), v.out() + v.err());
        assertEquals(
                1, v.out().lines().filter(l -> l.startsWith("ROTATED: gw1")).count(), v.out());
    }
}
