package jp.sekisho.gateway.policy;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javax.sql.DataSource;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.approval.ApprovalRepository;
import jp.sekisho.gateway.approval.StoredApproval;
import jp.sekisho.gateway.relay.RelayRepository;
import jp.sekisho.gateway.route.RouteRepository;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's {@link PolicySnapshot} current: LISTENs on the policy channel and reloads
 * when any node commits a change, and also reloads every {@code pollInterval} in case a
 * notification was lost while the listening connection was being re-established. Subscribers
 * (the edge's allowlists, transfers in progress) hear about every new snapshot.
 */
public final class PolicyWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyWatcher.class);

    private final DataSource ds;
    private final ApprovalRepository approvals;
    private final RouteRepository routes;
    private final RelayRepository relays;
    private final TamperAlarm alarm;
    private final Clock clock;
    private final Duration pollInterval;
    private final AtomicReference<PolicySnapshot> current = new AtomicReference<>(PolicySnapshot.EMPTY);
    private final List<Consumer<PolicySnapshot>> subscribers = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    public PolicyWatcher(DataSource ds, PolicySeal seal, TamperAlarm alarm, Clock clock, Duration pollInterval) {
        this.ds = ds;
        this.approvals = new ApprovalRepository(ds, seal);
        this.routes = new RouteRepository(ds, seal);
        this.relays = new RelayRepository(ds, seal);
        this.alarm = alarm;
        this.clock = clock;
        this.pollInterval = pollInterval;
        reload(); // fail at start-up, not at the first request, when the store is unreadable
        this.thread = new Thread(this::listen, "sekisho-policy-watcher");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public PolicySnapshot current() {
        return current.get();
    }

    /** Calls {@code subscriber} now with the current snapshot and again after every reload. */
    public void subscribe(Consumer<PolicySnapshot> subscriber) {
        subscribers.add(subscriber);
        subscriber.accept(current.get());
    }

    /**
     * Loads approvals, routes and relay routes now (also called after this node's own changes, so it
     * sees them at once). One reload at a time: this thread's (a notification, the poll, the one at
     * start-up) and a change's own could otherwise interleave, and a load that read the store before
     * a change committed would publish after the change's reload, putting the old routes back into
     * the listeners' allowlists until the next reload. CI saw exactly that once: a sender's first
     * connection, just after its route was applied, refused at accept.
     */
    public synchronized PolicySnapshot reload() {
        Map<String, Approval> a = new LinkedHashMap<>();
        Map<String, String> tamperedApprovals = new LinkedHashMap<>();
        for (StoredApproval s : approvals.loadAll()) {
            a.put(s.approval().ref(), s.approval());
            if (s.tampered()) {
                tamperedApprovals.put(s.approval().ref(), s.tamper());
            }
        }
        RouteRepository.Loaded r = routes.loadAll();
        RelayRepository.Loaded relay = relays.loadAll();
        // one id space for both kinds (RouteService keeps it so): a tampered relay is a tampered route
        Map<String, String> tamperedRoutes = new LinkedHashMap<>(r.tampered());
        tamperedRoutes.putAll(relay.tampered());
        PolicySnapshot next =
                new PolicySnapshot(a, r.routes(), relay.relays(), tamperedApprovals, tamperedRoutes, clock.instant());
        current.set(next);
        alarm.check(next);
        for (Consumer<PolicySnapshot> s : subscribers) {
            try {
                s.accept(next);
            } catch (RuntimeException e) {
                LOG.warn("policy subscriber failed", e);
            }
        }
        return next;
    }

    private void listen() {
        while (running) {
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(true);
                try (var s = c.createStatement()) {
                    s.execute("LISTEN " + Jdbc.POLICY_CHANNEL);
                }
                reload(); // anything committed while we were not listening
                PGConnection pg = c.unwrap(PGConnection.class);
                long lastReload = System.nanoTime();
                while (running) {
                    PGNotification[] n = pg.getNotifications((int) Math.min(pollInterval.toMillis(), 500));
                    boolean due = System.nanoTime() - lastReload >= pollInterval.toNanos();
                    if ((n != null && n.length > 0) || due) {
                        reload();
                        lastReload = System.nanoTime();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    LOG.warn("policy watcher lost its database connection ({}); retrying in 1 s", e.getMessage());
                    sleep(1000);
                }
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
