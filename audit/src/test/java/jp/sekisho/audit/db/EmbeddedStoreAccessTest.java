package jp.sekisho.audit.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jp.sekisho.audit.config.StoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store as another local account sees it, through the real {@code psql}: nobody gets in
 * without the role's password, over TCP or the socket, and the application role cannot rewrite the
 * audit log even with its password. A cluster from the trust era is closed on its next start.
 */
class EmbeddedStoreAccessTest {

    private static final boolean ROOT = "0".equals(uid());

    @TempDir
    Path dir;

    @Test
    void noRoleGetsInWithoutItsPasswordAndTheAppRoleCannotRewriteTheLog() throws Exception {
        Path cluster = dir.resolve("data/pg");
        try (Database db = Database.open(StoreConfig.embedded(cluster))) {
            int port = port(db);
            EmbeddedSecrets secrets = EmbeddedSecrets.loadOrCreate(cluster);
            assertEquals(dir.resolve("data/pg-secrets"), secrets.file());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets.file())));
            Path socket = EmbeddedCluster.socketDir(cluster);
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertTrue(Files.exists(socket.resolve(".s.PGSQL." + port)), "socket in the private folder");
            String hba = Files.readString(cluster.resolve("pg_hba.conf"));
            assertFalse(hba.contains("trust"), hba);
            assertFalse(hba.contains("replication"), hba);

            for (String role : List.of("postgres", "sekisho_app", "nobody", "someone")) {
                Psql tcp = psql(true, null, "-h", "127.0.0.1", "-p", "" + port, "-U", role, "-c", "SELECT 1");
                assertNotEquals(0, tcp.exit(), role + " over TCP without a password: " + tcp.out());
                assertTrue(tcp.out().contains("password"), tcp.out());
                Psql v6 = psql(true, null, "-h", "::1", "-p", "" + port, "-U", role, "-c", "SELECT 1");
                assertNotEquals(0, v6.exit(), role + " over TCP/IPv6 without a password: " + v6.out());
                Psql sock = psql(true, null, "-h", socket.toString(), "-p", "" + port, "-U", role, "-c", "SELECT 1");
                assertNotEquals(0, sock.exit(), role + " over the socket as another account: " + sock.out());
                Psql own = psql(false, null, "-h", socket.toString(), "-p", "" + port, "-U", role, "-c", "SELECT 1");
                assertNotEquals(0, own.exit(), role + " over the socket as its owner, no password: " + own.out());
            }
            Psql wrong = psql(
                    true, "not-the-password", "-h", "127.0.0.1", "-p", "" + port, "-U", "postgres", "-c", "SELECT 1");
            assertNotEquals(0, wrong.exit(), wrong.out());

            try (Connection c = db.dataSource().getConnection();
                    Statement s = c.createStatement()) {
                s.execute("SELECT audit_ensure_partition(now())");
            }
            String app = secrets.app();
            String[] base = {"-h", "127.0.0.1", "-p", "" + port, "-U", "sekisho_app", "-v", "ON_ERROR_STOP=1", "-c"};
            Psql ok = psql(true, app, concat(base, "SELECT count(*) FROM audit_event"));
            assertEquals(0, ok.exit(), "the password works: " + ok.out());
            for (String sql : List.of(
                    "UPDATE audit_event SET node_id = 'x'",
                    "DELETE FROM audit_event",
                    "TRUNCATE audit_event",
                    "SET session_replication_role = replica",
                    "ALTER TABLE audit_event DISABLE TRIGGER ALL")) {
                Psql p = psql(true, app, concat(base, sql));
                assertNotEquals(0, p.exit(), sql + ": " + p.out());
                assertTrue(
                        p.out().contains("permission denied") || p.out().contains("must be owner"),
                        sql + ": " + p.out());
            }
            Psql viaSocket = psql(
                    false,
                    secrets.owner(),
                    "-h",
                    socket.toString(),
                    "-p",
                    "" + port,
                    "-U",
                    "postgres",
                    "-c",
                    "SELECT 1");
            assertEquals(
                    0,
                    viaSocket.exit(),
                    "the owner of the data folder, with the password, over the socket: " + viaSocket.out());
        }
    }

    @Test
    void aClusterFromTheTrustEraIsClosedOnItsNextStart() throws Exception {
        Path cluster = dir.resolve("data/pg");
        // what the earlier version left behind: zonky's defaults (trust), the app role without a password
        try (EmbeddedPostgres old = EmbeddedPostgres.builder()
                        .setDataDirectory(cluster)
                        .setCleanDataDirectory(false)
                        .start();
                Connection c = old.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE ROLE sekisho_app LOGIN");
            Psql open =
                    psql(true, null, "-h", "127.0.0.1", "-p", "" + old.getPort(), "-U", "postgres", "-c", "SELECT 1");
            assertEquals(0, open.exit(), "the trust era let any account in: " + open.out());
        }
        assertTrue(Files.readString(cluster.resolve("pg_hba.conf")).contains("trust"));
        assertFalse(Files.exists(EmbeddedSecrets.fileFor(cluster)));

        String firstOwnerPassword = null;
        // the second start finds it already upgraded; before the third the passwords file is lost
        for (int start = 0; start < 3; start++) {
            if (start == 2) {
                firstOwnerPassword = EmbeddedSecrets.loadOrCreate(cluster).owner();
                Files.delete(EmbeddedSecrets.fileFor(cluster));
            }
            try (Database db = Database.open(StoreConfig.embedded(cluster));
                    Connection c = db.dataSource().getConnection();
                    Statement s = c.createStatement()) {
                s.execute("SELECT 1");
                int port = port(db);
                String hba = Files.readString(cluster.resolve("pg_hba.conf"));
                assertFalse(hba.contains("trust"), hba);
                for (String role : List.of("postgres", "sekisho_app")) {
                    Psql p = psql(true, null, "-h", "127.0.0.1", "-p", "" + port, "-U", role, "-c", "SELECT 1");
                    assertNotEquals(0, p.exit(), role + " after the upgrade: " + p.out());
                }
                EmbeddedSecrets secrets = EmbeddedSecrets.loadOrCreate(cluster);
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets.file())));
                Psql owner = psql(
                        true, secrets.owner(), "-h", "127.0.0.1", "-p", "" + port, "-U", "postgres", "-c", "SELECT 1");
                assertEquals(0, owner.exit(), owner.out());
                if (firstOwnerPassword != null) {
                    Psql old = psql(
                            true,
                            firstOwnerPassword,
                            "-h",
                            "127.0.0.1",
                            "-p",
                            "" + port,
                            "-U",
                            "postgres",
                            "-c",
                            "SELECT 1");
                    assertNotEquals(0, old.exit(), "the lost file's password no longer works: " + old.out());
                }
            }
        }
    }

    private static int port(Database db) {
        String url = db.url();
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1, url.indexOf('/', url.lastIndexOf(':'))));
    }

    private record Psql(int exit, String out) {}

    /** The real psql, as the account {@code nobody} when {@code asOther} (and we are root), never prompting. */
    private static Psql psql(boolean asOther, String password, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (asOther && ROOT) {
            cmd.addAll(List.of("runuser", "-u", "nobody", "--"));
        }
        cmd.addAll(List.of("/usr/bin/psql", "-w", "-X", "-At", "-d", "postgres"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .directory(Path.of("/").toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("PG"));
        env.put("PGPASSFILE", "/dev/null");
        env.put("PGCONNECT_TIMEOUT", "5");
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Psql(p.exitValue(), out);
    }

    private static String[] concat(String[] a, String last) {
        String[] r = java.util.Arrays.copyOf(a, a.length + 1);
        r[a.length] = last;
        return r;
    }

    private static String uid() {
        try {
            Process p = new ProcessBuilder("id", "-u").start();
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
