package jp.sekisho.audit.db;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the embedded PostgreSQL closed to other local accounts: every role has a random password
 * ({@link EmbeddedSecrets}), pg_hba allows scram-sha-256 only (no trust, no replication), the
 * server listens on loopback only and its Unix socket sits in {@code <cluster>/socket} (0700, socket
 * 0700). A cluster created by an earlier version (trust) is upgraded before its server starts:
 * the superuser gets its password in single-user mode (no network, so no window in which trust
 * still answers), then pg_hba is rewritten.
 */
final class EmbeddedCluster {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCluster.class);

    static final String HBA_MARKER = "# sekisho: scram-sha-256 only";

    /** Our pg_hba.conf, whole: local socket and loopback, passwords only, no replication. */
    static final String HBA = HBA_MARKER + " (written at every start; edits are overwritten)\n"
            + "# TYPE  DATABASE  USER  ADDRESS       METHOD\n"
            + "local   all       all                 scram-sha-256\n"
            + "host    all       all   127.0.0.1/32  scram-sha-256\n"
            + "host    all       all   ::1/128       scram-sha-256\n";

    private EmbeddedCluster() {}

    static Path socketDir(Path clusterDir) {
        return clusterDir.toAbsolutePath().normalize().resolve("socket");
    }

    /** Starts the cluster on {@code port} ({@link StorePort} picks the first one), creating it first if needed. */
    static EmbeddedPostgres start(Path dir, EmbeddedSecrets secrets, int port) throws IOException {
        Path cluster = dir.toAbsolutePath().normalize();
        boolean existing = Files.exists(cluster.resolve("PG_VERSION"));
        Path pwfile = null;
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                .setDataDirectory(cluster)
                .setCleanDataDirectory(false)
                // zonky starts the server with -F (fsync off) and synchronous_commit off, for tests; a later
                // -c wins, and the audit log's commit() promises durability, so both go back on
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "50")
                .setServerConfig("password_encryption", "scram-sha-256")
                .setServerConfig(
                        "listen_addresses", "127.0.0.1,::1") // loopback only; zonky checks readiness via "localhost"
                .setServerConfig("unix_socket_directories", shellQuoted(socketDir(cluster)))
                .setServerConfig("unix_socket_permissions", "0700")
                // zonky's own readiness check logs in as postgres
                .setConnectConfig("password", secrets.owner())
                .setPGStartupWait(Duration.ofSeconds(30))
                // EmbeddedServer stops it at exit: zonky's own hook would stop it behind the watcher's back,
                // and the watcher would start it again as the JVM ends, leaving it running
                .setRegisterShutdownHook(false)
                .setDataDirectoryCustomizer(d -> secure(d.toPath(), secrets, existing));
        b.setPort(port); // a restart keeps the port: the pool's URL stays valid
        Path marker = initMarker(cluster);
        try {
            if (!existing) {
                // until the first server start completes, a kill leaves a cluster that may be discarded
                Files.writeString(marker, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
                // initdb appends these after zonky's "-A trust": the cluster is born with a password
                pwfile = Files.createTempFile(cluster.getParent(), pwfilePrefix(cluster), "");
                Files.setPosixFilePermissions(pwfile, EmbeddedSecrets.OWNER_ONLY);
                Files.writeString(pwfile, secrets.owner() + "\n", StandardCharsets.UTF_8);
                b.setLocaleConfig("auth-local", "scram-sha-256")
                        .setLocaleConfig("auth-host", "scram-sha-256")
                        .setLocaleConfig("pwfile", pwfile.toString());
            }
            EmbeddedPostgres pg = b.start();
            Files.deleteIfExists(marker); // complete: from here on it holds audit data and is never discarded
            return pg;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            if (pwfile != null) {
                Files.deleteIfExists(pwfile);
            }
        }
    }

    /** {@code <cluster>.initdb}: present while a fresh cluster is being created and first started. */
    static Path initMarker(Path clusterDir) {
        Path abs = clusterDir.toAbsolutePath().normalize();
        return abs.resolveSibling(abs.getFileName() + ".initdb");
    }

    private static String pwfilePrefix(Path cluster) {
        return "." + cluster.getFileName() + ".pwfile";
    }

    /**
     * Removes what a gateway killed while creating this cluster left: initdb's password file and,
     * when the creation never completed (its marker is still there), the half-made cluster with any
     * initdb or bootstrap process still working on it. A never-completed cluster holds no audit event:
     * the marker goes only after the first server start, before the schema exists. Call only while
     * holding the {@link StoreLock} and after {@link OrphanServer#stopIfLeft}.
     */
    static void discardUnfinished(Path clusterDir) throws IOException {
        Path cluster = clusterDir.toAbsolutePath().normalize();
        Path parent = cluster.getParent();
        if (Files.isDirectory(parent)) {
            try (var left = Files.newDirectoryStream(parent, pwfilePrefix(cluster) + "*")) {
                for (Path p : left) {
                    Files.deleteIfExists(p);
                }
            }
        }
        Path marker = initMarker(cluster);
        if (!Files.exists(marker)) {
            return;
        }
        LOG.warn(
                "埋め込みストア {} の作成 (initdb) が前回完了していませんでした (作成中に強制終了)。作りかけのクラスタを削除して"
                        + "作り直します / the creation of embedded store {} never completed (the gateway was killed during"
                        + " initdb or its first start): discarding the half-made cluster (it holds no audit event) and"
                        + " creating it again",
                cluster,
                cluster);
        String path = cluster.toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(path)).orElse(false))
                .filter(p -> p.info()
                        .command()
                        .map(c -> c.endsWith("/initdb") || c.endsWith("/postgres"))
                        .orElse(false))
                .forEach(p -> {
                    LOG.warn(
                            "作りかけのクラスタの処理を終了します / killing pid {} working on the half-made cluster: {}",
                            p.pid(),
                            p.info().commandLine().orElse("?"));
                    p.destroyForcibly();
                    p.onExit().join();
                });
        deleteTree(cluster);
        Files.delete(marker);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Runs before every server start, after initdb. */
    private static void secure(Path cluster, EmbeddedSecrets secrets, boolean existing) {
        try {
            Path hba = cluster.resolve("pg_hba.conf");
            boolean ours = Files.readString(hba, StandardCharsets.UTF_8).startsWith(HBA_MARKER);
            if (existing && ours && secrets.created()) {
                // the passwords file was lost (or the cluster restored without it): whoever may create it
                // owns the data folder anyway, so the superuser gets the new password
                LOG.warn(
                        "埋め込みストア {} のパスワードファイル {} がありませんでした。新しいパスワードを設定します / the "
                                + "passwords file {} of embedded store {} was missing: setting new passwords",
                        cluster,
                        secrets.file(),
                        secrets.file(),
                        cluster);
                setOwnerPasswordSingleUser(cluster, secrets);
            }
            if (existing && !ours) {
                LOG.warn(
                        "埋め込みストア {} を保護します: 以前の版の trust 認証 (ローカル利用者は誰でも管理者) を廃止し、"
                                + "全ロールに無作為のパスワード ({}) を設定します / upgrading embedded store {}: the earlier "
                                + "version let any local account in as superuser (trust); setting random passwords for every "
                                + "role (kept in {}, mode 0600) and allowing scram-sha-256 only",
                        cluster,
                        secrets.file(),
                        cluster,
                        secrets.file());
                setOwnerPasswordSingleUser(cluster, secrets);
            }
            Path sock = socketDir(cluster);
            Files.createDirectories(sock);
            Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rwx------"));
            Path tmp = cluster.resolve("pg_hba.conf.tmp");
            Files.writeString(tmp, HBA, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, EmbeddedSecrets.OWNER_ONLY);
            Files.move(tmp, hba, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            if (existing && !ours) {
                LOG.warn(
                        "埋め込みストア {} の保護が完了しました (pg_hba: scram-sha-256 のみ) / embedded store {} upgraded: "
                                + "pg_hba allows scram-sha-256 only, no trust, no replication",
                        cluster,
                        cluster);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code postgres --single}: a backend without network, so the password is set before any
     * client can connect. The SQL goes through stdin, never the command line.
     */
    private static void setOwnerPasswordSingleUser(Path cluster, EmbeddedSecrets secrets) throws IOException {
        List<String> cmd = command("postgres");
        cmd.addAll(
                List.of("--single", "-D", cluster.toString(), "-c", "password_encryption=scram-sha-256", "postgres"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(("ALTER ROLE postgres PASSWORD " + Database.quoteLiteral(secrets.owner()) + ";\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("postgres --single did not finish in 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while setting the superuser password", e);
        }
        if (p.exitValue() != 0 || out.contains("ERROR") || out.contains("FATAL")) {
            throw new IOException(
                    "could not set the superuser password (postgres --single exit " + p.exitValue() + "): "
                            + out.lines()
                                    .filter(l -> l.contains("ERROR") || l.contains("FATAL"))
                                    .findFirst()
                                    .orElse(out.strip()));
        }
    }

    /** How to run one of zonky's PostgreSQL programs (bin/NAME) as zonky does. */
    static List<String> command(String program) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            cmd.add("unshare"); // as zonky does when run as root: PostgreSQL refuses to run as uid 0
            cmd.add("-U");
        }
        cmd.add(new File(binaries(), "bin/" + program).getPath());
        return cmd;
    }

    /**
     * Where zonky unpacked the PostgreSQL binaries. zonky 2.2.2 keeps this private; the upgrade
     * test ({@code EmbeddedStoreAccessTest}) fails loudly if a new zonky version moves it.
     */
    private static File binaries() throws IOException {
        try {
            Method m = EmbeddedPostgres.class.getDeclaredMethod("prepareBinaries", PgBinaryResolver.class, File.class);
            m.setAccessible(true);
            return (File) m.invoke(null, DefaultPostgresBinaryResolver.INSTANCE, null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("cannot find zonky's PostgreSQL binaries to upgrade the store: " + e, e);
        }
    }

    private static String shellQuoted(Path p) {
        String s = p.toString();
        if (s.contains("'")) {
            throw new IllegalArgumentException("the data folder path must not contain a single quote: " + s);
        }
        // zonky passes server options through pg_ctl -o, which a shell splits
        return "'" + s + "'";
    }
}
