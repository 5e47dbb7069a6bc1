package jp.sekisho.audit.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * A throw-away PostgreSQL 15 cluster from Debian's binaries on its own port, which a test may stop and
 * start again: the shared server on 5432 is never touched.
 */
public final class PrivatePostgres implements AutoCloseable {

    private static final String BIN = "/usr/lib/postgresql/15/bin/";

    private final Path dir;
    private final int port;

    private PrivatePostgres(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static PrivatePostgres create() throws IOException, InterruptedException {
        Path dir = Path.of(
                "/tmp", "sekisho-audit-pg-" + UUID.randomUUID().toString().substring(0, 8));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        run("install", "-d", "-o", "postgres", dir.toString());
        run(
                "runuser",
                "-u",
                "postgres",
                "--",
                BIN + "initdb",
                "-D",
                dir.resolve("data").toString(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync");
        PrivatePostgres pg = new PrivatePostgres(dir, port);
        pg.start();
        return pg;
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public void start() throws IOException, InterruptedException {
        run(
                "runuser",
                "-u",
                "postgres",
                "--",
                BIN + "pg_ctl",
                "-D",
                dir.resolve("data").toString(),
                "-l",
                dir.resolve("log").toString(),
                "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1",
                "-w",
                "start");
    }

    public void stop() throws IOException, InterruptedException {
        run(
                "runuser",
                "-u",
                "postgres",
                "--",
                BIN + "pg_ctl",
                "-D",
                dir.resolve("data").toString(),
                "-m",
                "immediate",
                "-w",
                "stop");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            stop();
        } catch (IOException ignored) {
            // already stopped
        }
        run("rm", "-rf", dir.toString());
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
