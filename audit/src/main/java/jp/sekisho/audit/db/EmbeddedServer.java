package jp.sekisho.audit.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import jp.sekisho.audit.StoreShutdown;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL for as long as the gateway runs. A server that died under it (killed,
 * out of memory) is started again by itself on the same port, so the pool's URL stays valid and the
 * gateway answers AUDIT_UNAVAILABLE only while the server is down; without this a gateway under a
 * service manager would stay up and refuse everything until a person restarted it. A frozen server
 * (SIGSTOP) is alive and left alone: its requests time out and are named as an outage.
 */
final class EmbeddedServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServer.class);

    /** How often the postmaster is looked at: a dead store costs at most this plus a start (~1-3 s). */
    static final Duration CHECK_EVERY = Duration.ofSeconds(1);

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final Path cluster;
    private final EmbeddedSecrets secrets;
    private final int port;
    private final ScheduledExecutorService watch;
    private volatile EmbeddedPostgres current;
    private volatile boolean closed;
    private Thread hook;
    private long nextTryNanos;
    private Duration backoff = CHECK_EVERY;

    private EmbeddedServer(Path cluster, EmbeddedSecrets secrets, EmbeddedPostgres first) {
        this.cluster = cluster;
        this.secrets = secrets;
        this.current = first;
        this.port = first.getPort();
        this.watch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sekisho-embedded-store-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the cluster on a free loopback port other than {@code portsKeptFree} and keeps it running
     * until {@link #close()}.
     */
    static EmbeddedServer start(Path dir, EmbeddedSecrets secrets, Set<Integer> portsKeptFree) throws IOException {
        Path cluster = dir.toAbsolutePath().normalize();
        int port = StorePort.pick(portsKeptFree);
        EmbeddedServer s = new EmbeddedServer(cluster, secrets, EmbeddedCluster.start(cluster, secrets, port));
        // SIGTERM: the server stops with the process, after whatever still writes to it (StoreShutdown)
        s.hook = new Thread(
                () -> {
                    StoreShutdown.awaitWriters();
                    s.close();
                },
                "sekisho-embedded-store-stop");
        Runtime.getRuntime().addShutdownHook(s.hook);
        s.watch.scheduleWithFixedDelay(s::check, CHECK_EVERY.toMillis(), CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return s;
    }

    int port() {
        return port;
    }

    private void check() {
        if (closed || postmasterAlive(cluster)) {
            return;
        }
        if (System.nanoTime() < nextTryNanos) {
            return;
        }
        LOG.error(
                "埋め込みストア {} の PostgreSQL が停止しています (強制終了など)。同じポート {} で起動し直します。その間、監査が必要な要求は"
                        + " 503 AUDIT_UNAVAILABLE になります / the PostgreSQL of embedded store {} is not running (killed?):"
                        + " starting it again on port {}; until it is up, requests that need the audit store get 503"
                        + " AUDIT_UNAVAILABLE",
                cluster,
                port,
                cluster,
                port);
        long t0 = System.nanoTime();
        try {
            restart();
            backoff = CHECK_EVERY;
            LOG.warn(
                    "埋め込みストア {} の PostgreSQL を {} ms で再起動しました / restarted the PostgreSQL of embedded store {}"
                            + " in {} ms",
                    cluster,
                    (System.nanoTime() - t0) / 1_000_000,
                    cluster,
                    (System.nanoTime() - t0) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            nextTryNanos = System.nanoTime() + backoff.toNanos();
            LOG.error(
                    "埋め込みストア {} の PostgreSQL を再起動できませんでした。{} 秒後に再試行します / could not restart the"
                            + " PostgreSQL of embedded store {}; trying again in {} s: {}",
                    cluster,
                    backoff.toSeconds(),
                    cluster,
                    backoff.toSeconds(),
                    e.toString());
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    private synchronized void restart() throws IOException {
        if (closed) {
            return;
        }
        // releases zonky's lock on the folder; its pg_ctl stop finds no server (zonky logs that) and goes on
        closeQuietly(current);
        // a zombie or stale pid file would make PostgreSQL refuse to start
        OrphanServer.stopIfLeft(cluster);
        current = EmbeddedCluster.start(cluster, secrets, port);
    }

    /** The pid in postmaster.pid names a live, non-zombie process. */
    static boolean postmasterAlive(Path cluster) {
        try {
            List<String> lines = Files.readAllLines(cluster.resolve("postmaster.pid"), StandardCharsets.UTF_8);
            long pid = Long.parseLong(lines.isEmpty() ? "" : lines.get(0).trim());
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            return p.isPresent() && !OrphanServer.exited(p.get());
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException | NumberFormatException e) {
            return true; // being written (start-up) or unreadable: not evidence of a dead server
        }
    }

    @Override
    public void close() {
        if (closed) {
            return; // stopped by its owner already, and now the JVM's hook comes
        }
        closed = true; // first, outside the lock: a watcher tick from now on does nothing
        watch.shutdownNow();
        synchronized (this) { // a restart under way ends first, then its server is stopped too
            closeQuietly(current);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException ignored) {
            // called from the hook itself (the JVM is exiting), or removed already
        }
    }

    private static void closeQuietly(EmbeddedPostgres pg) {
        if (pg != null) {
            try {
                pg.close();
            } catch (IOException ignored) {
                // shutting down anyway
            }
        }
    }
}
