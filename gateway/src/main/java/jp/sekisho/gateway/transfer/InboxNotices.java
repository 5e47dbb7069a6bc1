package jp.sekisho.gateway.transfer;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears the transfers other nodes store: LISTEN {@value #CHANNEL} on a connection of its own (not a
 * pooled one: it is held for the node's life) in a daemon thread, handing each notified route to
 * {@code onRoute}. A dropped connection is opened again with a growing pause; after each (re)connect
 * {@code onConnected} runs, since notifications sent meanwhile were lost. {@link #live()} says
 * whether notifications are heard now ({@link InboxWaits} re-checks while they are not).
 */
final class InboxNotices implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InboxNotices.class);

    /** PostgreSQL NOTIFY channel; the payload is the route id (TransferRepository#markStored sends it). */
    static final String CHANNEL = "sekisho_inbox";

    private static final Duration FIRST_PAUSE = Duration.ofMillis(500);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(10);
    /** A frozen server is noticed by a query this often (a notification wait alone would not notice). */
    private static final Duration PING_EVERY = Duration.ofSeconds(10);

    private final ClusterLocks.Connector connector;
    private final Consumer<String> onRoute;
    private final Runnable onConnected;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean live;
    private volatile Connection connection;

    InboxNotices(ClusterLocks.Connector connector, Consumer<String> onRoute, Runnable onConnected, String node) {
        this.connector = connector;
        this.onRoute = onRoute;
        this.onConnected = onConnected;
        this.thread = new Thread(this::run, "sekisho-inbox-listen-" + node);
        this.thread.setDaemon(true);
    }

    InboxNotices start() {
        thread.start();
        return this;
    }

    /** Whether this node hears other nodes' stored transfers now. */
    boolean live() {
        return live;
    }

    private void run() {
        Duration pause = FIRST_PAUSE;
        boolean warned = false;
        while (running) {
            try (Connection c = connector.open()) {
                connection = c;
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                live = true;
                pause = FIRST_PAUSE;
                if (warned) {
                    LOG.info("受信箱の通知を再び受けています / hearing inbox notifications again");
                    warned = false;
                }
                onConnected.run();
                listen(c);
            } catch (SQLException | RuntimeException e) {
                live = false;
                if (running && !warned) {
                    LOG.warn(
                            "受信箱の通知接続が切れました。{} 秒ごとの再確認で待機中の一覧に応えます / the inbox notification"
                                    + " connection failed ({}); waiting listings are re-checked every {} s until it is back",
                            InboxWaits.RECHECK_EVERY.toSeconds(),
                            e.getMessage(),
                            InboxWaits.RECHECK_EVERY.toSeconds());
                    warned = true;
                }
            } finally {
                live = false;
                connection = null;
            }
            if (running) {
                sleep(pause);
                pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
            }
        }
    }

    private void listen(Connection c) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        long pinged = System.nanoTime();
        while (running) {
            PGNotification[] ns = pg.getNotifications(1000);
            if (ns != null) {
                for (PGNotification n : ns) {
                    onRoute.accept(n.getParameter());
                }
            }
            if (System.nanoTime() - pinged >= PING_EVERY.toNanos()) {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT 1");
                }
                pinged = System.nanoTime();
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Cuts the connection as a dropped network would (tests: the node re-connects and re-checks). */
    void drop() {
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        drop();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
