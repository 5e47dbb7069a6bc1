package jp.sekisho.audit.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server left running for this cluster by a gateway that died without stopping it
 * ({@code kill -9}, a crash, the OOM killer): zonky starts the server through {@code pg_ctl}, so it
 * is no child of the JVM and outlives it. Called only while holding the {@link StoreLock}, i.e. when
 * no live gateway owns the cluster; the server is then stopped cleanly (fast shutdown: no new
 * connections, open transactions rolled back, a checkpoint) before a fresh start.
 */
final class OrphanServer {

    private static final Logger LOG = LoggerFactory.getLogger(OrphanServer.class);

    /** pg_ctl's own wait for a fast shutdown, before escalating to an immediate one. */
    static final Duration FAST_STOP = Duration.ofSeconds(20);

    private OrphanServer() {}

    /** Stops the server {@code postmaster.pid} names if it is a live PostgreSQL for this cluster. */
    static void stopIfLeft(Path clusterDir) throws IOException {
        Path cluster = clusterDir.toAbsolutePath().normalize();
        Path pidFile = cluster.resolve("postmaster.pid");
        List<String> lines;
        try {
            lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(lines.isEmpty() ? "" : lines.get(0).trim());
        } catch (NumberFormatException e) {
            return; // a torn pid file: PostgreSQL itself decides whether it may start
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || exited(process.get())) {
            if (process.isPresent()) {
                // a zombie nobody reaped: PostgreSQL's own check (kill(pid, 0)) would take it for a live server
                Files.deleteIfExists(pidFile);
            }
            return; // a dead server's pid file: PostgreSQL removes it itself
        }
        if (!isServerOf(pid, cluster)) {
            // the pid was reused by an unrelated process; PostgreSQL would take it for a live server and refuse
            LOG.warn(
                    "埋め込みストア {} の postmaster.pid は無関係のプロセス (pid {}) を指しています。古い pid ファイルを削除します /"
                            + " the postmaster.pid of embedded store {} names pid {}, which is not its PostgreSQL"
                            + " (the pid was reused): removing the stale pid file",
                    cluster,
                    pid,
                    cluster,
                    pid);
            Files.deleteIfExists(pidFile);
            return;
        }
        LOG.warn(
                "埋め込みストア {} の PostgreSQL (pid {}) が、終了したゲートウェイから取り残されていました"
                        + " (kill -9 などで停止した場合)。正常に停止してから起動し直します / the PostgreSQL of embedded store {}"
                        + " (pid {}) was left running by a gateway that died without stopping it (kill -9, crash): shutting it"
                        + " down cleanly (fast), then starting it again",
                cluster,
                pid,
                cluster,
                pid);
        long t0 = System.nanoTime();
        ProcessHandle server = process.get();
        pgCtlStop(cluster, "fast", FAST_STOP);
        if (!awaitExit(server, Duration.ofSeconds(5))) {
            LOG.warn(
                    "埋め込みストア {} の PostgreSQL (pid {}) が {} 秒以内に停止しませんでした。即時停止します / the PostgreSQL"
                            + " of embedded store {} (pid {}) did not stop within {} s: immediate shutdown (it recovers from"
                            + " its WAL at the next start)",
                    cluster,
                    pid,
                    FAST_STOP.toSeconds(),
                    cluster,
                    pid,
                    FAST_STOP.toSeconds());
            pgCtlStop(cluster, "immediate", Duration.ofSeconds(10));
            if (!awaitExit(server, Duration.ofSeconds(5))) {
                throw new IOException("PostgreSQL (pid " + pid + ") left running by a dead gateway does not stop;"
                        + " stop it by hand (kill -INT " + pid + ")");
            }
        }
        LOG.info(
                "取り残された PostgreSQL (pid {}) を {} ms で停止しました / stopped the left-over PostgreSQL (pid {}) in {} ms",
                pid,
                (System.nanoTime() - t0) / 1_000_000,
                pid,
                (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * A PostgreSQL postmaster runs with the cluster folder as its working directory; a reused pid
     * almost never does, and never runs a binary called postgres there.
     */
    static boolean isServerOf(long pid, Path cluster) {
        try {
            Path proc = Path.of("/proc", Long.toString(pid));
            Path cwd = Files.readSymbolicLink(proc.resolve("cwd"));
            if (!cwd.equals(cluster.toRealPath())) {
                return false;
            }
            byte[] cmdline = Files.readAllBytes(proc.resolve("cmdline"));
            int end = 0;
            while (end < cmdline.length && cmdline[end] != 0) {
                end++;
            }
            String argv0 = new String(cmdline, 0, end, StandardCharsets.UTF_8);
            return Path.of(argv0).getFileName() != null
                    && Path.of(argv0).getFileName().toString().equals("postgres");
        } catch (IOException | RuntimeException e) {
            return false; // gone meanwhile, or not ours to inspect
        }
    }

    private static void pgCtlStop(Path cluster, String mode, Duration wait) throws IOException {
        List<String> cmd = new ArrayList<>(EmbeddedCluster.command("pg_ctl"));
        cmd.addAll(List.of("stop", "-D", cluster.toString(), "-m", mode, "-w", "-t", Long.toString(wait.toSeconds())));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(wait.toSeconds() + 10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the left-over PostgreSQL", e);
        }
        if (p.isAlive() || p.exitValue() != 0) {
            LOG.warn("pg_ctl stop -m {}: {}", mode, out.strip());
        }
    }

    /** Polls: the server is no child of ours, and a zombie nobody reaps still "is alive" to the JDK. */
    private static boolean awaitExit(ProcessHandle server, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!exited(server)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return exited(server);
            }
        }
        return true;
    }

    static boolean exited(ProcessHandle p) {
        if (!p.isAlive()) {
            return true;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"), StandardCharsets.UTF_8);
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
        } catch (IOException e) {
            return true;
        }
    }
}
