package jp.sekisho.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * An external PostgreSQL server of the test's own: a temporary cluster (initdb, trust on loopback)
 * on a free port, run as user postgres with runuser, so that it can be frozen and killed. The shared
 * server on 5432 is never touched.
 */
final class PrivatePostgres implements AutoCloseable {

    final Path dir;
    final int port;
    final PgCluster cluster;
    private final Path bin;

    private PrivatePostgres(Path dir, int port, Path bin) {
        this.dir = dir;
        this.port = port;
        this.bin = bin;
        this.cluster = new PgCluster(dir.resolve("data"));
    }

    /** The newest installed server's binaries (/usr/lib/postgresql/N/bin), or null when none is installed. */
    static Path binaries() throws IOException {
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) {
            return null;
        }
        try (Stream<Path> s = Files.list(base)) {
            return s.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(
                            b -> Integer.parseInt(b.getParent().getFileName().toString())))
                    .orElse(null);
        }
    }

    static PrivatePostgres start() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Scenario.isRoot(), "a private PostgreSQL run as user postgres needs root (CI runs as root)");
        Path bin = binaries();
        if (bin == null) {
            throw new IllegalStateException("no PostgreSQL server binaries under /usr/lib/postgresql");
        }
        // under /tmp, not the test's 0700 folder: the server runs as postgres
        Path dir = Files.createTempDirectory("sekisho-faults-pg");
        Scenario.run("chown", "postgres:postgres", dir.toString());
        PrivatePostgres pg = new PrivatePostgres(dir, FaultWorld.freePort(), bin);
        pg.asPostgres(
                bin.resolve("initdb").toString(),
                "-D",
                pg.cluster.dir().toString(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync");
        pg.startServer();
        return pg;
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** pg_ctl start -w: returns once the server accepts connections. */
    void startServer() throws Exception {
        asPostgres(
                bin.resolve("pg_ctl").toString(),
                "-D",
                cluster.dir().toString(),
                "-l",
                dir.resolve("server.log").toString(),
                "-w",
                "-t",
                "60",
                "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1",
                "start");
    }

    private void asPostgres(String... cmd) throws Exception {
        List<String> all = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        all.addAll(List.of(cmd));
        Scenario.run(all.toArray(String[]::new));
    }

    @Override
    public void close() throws Exception {
        cluster.stopQuietly();
        Scenario.run("rm", "-rf", dir.toString());
    }
}
