package jp.sekisho.audit.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /** Freezes the whole cluster (SIGSTOP): it keeps its sockets open and answers nothing, like a hung host. */
    public void freeze() throws IOException, InterruptedException {
        signalCluster(dir.resolve("data"), "STOP");
    }

    /** Lets a frozen cluster run on (SIGCONT). */
    public void thaw() throws IOException, InterruptedException {
        signalCluster(dir.resolve("data"), "CONT");
    }

    /** Kills every process of the cluster (SIGKILL), as a crash would; {@link #start} brings it back. */
    public void kill() throws IOException, InterruptedException {
        killCluster(dir.resolve("data"));
    }

    /**
     * Sends {@code signal} (STOP, CONT, KILL) to the postmaster of the cluster in {@code dataDir} (its
     * postmaster.pid) and to all its processes, for the embedded store too.
     */
    public static List<Long> signalCluster(Path dataDir, String signal) throws IOException, InterruptedException {
        long postmaster = postmasterPid(dataDir);
        List<Long> pids = new ArrayList<>();
        pids.add(postmaster);
        ProcessHandle.of(postmaster).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
        List<String> cmd = new ArrayList<>(List.of("kill", "-" + signal));
        pids.forEach(pid -> cmd.add(Long.toString(pid)));
        run(cmd.toArray(String[]::new));
        return pids;
    }

    /** SIGKILLs the cluster in {@code dataDir} and returns once none of its processes is left. */
    public static void killCluster(Path dataDir) throws IOException, InterruptedException {
        List<Long> pids = signalCluster(dataDir, "KILL");
        for (long pid : pids) {
            // a zombie (nobody reaps it in a container) has let go of its port and memory: bounded wait
            ProcessHandle.of(pid)
                    .ifPresent(h -> h.onExit()
                            .completeOnTimeout(h, 10, java.util.concurrent.TimeUnit.SECONDS)
                            .join());
        }
    }

    /** The postmaster's pid from {@code dataDir/postmaster.pid}. */
    public static long postmasterPid(Path dataDir) throws IOException {
        List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.UTF_8);
        return Long.parseLong(lines.get(0).trim());
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            thaw(); // a test that failed while the cluster was frozen: stop would wait for ever
        } catch (IOException ignored) {
            // not running
        }
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
