package jp.sekisho.gateway.transfer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbox long-poll of this node: a receiver's listing with {@code wait} is held (no thread held)
 * until a transfer of its route is stored or the wait ends, and then answered with what the store
 * lists at that moment. A wake-up ({@link #wake}) lists the route once for all its waiters; several
 * wake-ups while a listing runs make one more listing, not one each. Waiters are bounded per node:
 * beyond {@link #MAX_WAITERS} a listing is answered at once, as without {@code wait}.
 *
 * <p>Correctness never rests on the wake-ups: a waiter lists again when its wait ends, and while
 * the cluster's notifications are not heard ({@code notified} false) every route with waiters is
 * listed again every {@link #RECHECK_EVERY}.
 */
final class InboxWaits implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InboxWaits.class);

    /** Waiters one node holds at most: each is a connection and a future, nothing more. */
    static final int MAX_WAITERS = 1000;

    /** The longest wait a receiver may ask for (below common proxies' 60 s idle cut-offs plus margin). */
    static final Duration MAX_WAIT = Duration.ofSeconds(60);

    /** How often routes with waiters are listed again while notifications are not heard. */
    static final Duration RECHECK_EVERY = Duration.ofSeconds(2);

    /** A listing with its wait: {@code granted} is zero when it was answered without waiting (no wait asked, or full). */
    record Pending(Duration granted, CompletableFuture<List<Transfer>> answer) {}

    /** One held listing. */
    private static final class Waiter {
        final CompletableFuture<List<Transfer>> answer = new CompletableFuture<>();
        volatile ScheduledFuture<?> timer;
    }

    /** The waiters of one route and the wake-ups not yet served by a listing. */
    private static final class RouteWaiters {
        final String route;
        final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
        final AtomicInteger wakes = new AtomicInteger();

        RouteWaiters(String route) {
            this.route = route;
        }
    }

    private final Function<String, List<Transfer>> lister;
    private final int max;
    private final Map<String, RouteWaiters> routes = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final ExecutorService listings = Executors.newFixedThreadPool(2, named("sekisho-inbox-wake"));
    private final ScheduledExecutorService timers =
            Executors.newSingleThreadScheduledExecutor(named("sekisho-inbox-timer"));
    private volatile boolean closed;

    /**
     * @param lister   the route's inbox as the store lists it now
     * @param notified whether other nodes' notifications are heard now; while not, routes are re-checked
     */
    InboxWaits(Function<String, List<Transfer>> lister, int max, BooleanSupplier notified) {
        this.lister = lister;
        this.max = max;
        timers.scheduleWithFixedDelay(
                () -> {
                    if (!notified.getAsBoolean()) {
                        wakeAll();
                    }
                },
                RECHECK_EVERY.toMillis(),
                RECHECK_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * The route's inbox now when it lists anything (or {@code wait} is zero, or this node holds
     * {@link #max} waiters already), else when a transfer is stored or after {@code wait}. Lists
     * once on the caller's thread; the wait itself holds no thread.
     */
    Pending await(String route, Duration wait) {
        if (wait.isZero() || closed) {
            return new Pending(Duration.ZERO, CompletableFuture.completedFuture(lister.apply(route)));
        }
        if (count.incrementAndGet() > max) {
            count.decrementAndGet();
            LOG.debug("inbox waiters full ({}): route {} listed without waiting", max, route);
            return new Pending(Duration.ZERO, CompletableFuture.completedFuture(lister.apply(route)));
        }
        Waiter w = new Waiter();
        register(route, w);
        w.answer.whenComplete((l, e) -> unregister(route, w));
        try {
            // listed after registering: a transfer stored in between wakes this waiter, none is missed
            List<Transfer> now = lister.apply(route);
            if (!now.isEmpty() || closed) {
                w.answer.complete(now);
            } else {
                w.timer = timers.schedule(() -> expire(route, w), wait.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException | Error e) {
            w.answer.completeExceptionally(e);
            throw e;
        }
        return new Pending(wait, w.answer);
    }

    /** A transfer of {@code route} was stored (here or on another node): its waiters list again. */
    void wake(String route) {
        RouteWaiters rw = routes.get(route);
        if (rw == null || rw.wakes.getAndIncrement() > 0) {
            return; // nobody waits, or a listing is already due and will see this transfer too
        }
        try {
            listings.execute(() -> drain(rw));
        } catch (RejectedExecutionException e) {
            // closing: close() releases every waiter
        }
    }

    /** Every route with waiters lists again (notifications were not heard for a while). */
    void wakeAll() {
        routes.keySet().forEach(this::wake);
    }

    /** Waiters on this node now. */
    int waiting() {
        return count.get();
    }

    private void drain(RouteWaiters rw) {
        int seen;
        do {
            seen = rw.wakes.get();
            try {
                List<Transfer> l = lister.apply(rw.route);
                if (!l.isEmpty()) {
                    rw.waiters.forEach(w -> w.answer.complete(l));
                }
            } catch (RuntimeException e) {
                // the store cannot list now: the waiters stay; their wait's end lists again and answers
                LOG.debug("inbox listing for waiters of route {} failed: {}", rw.route, e.toString());
            }
        } while (!rw.wakes.compareAndSet(seen, 0));
    }

    private void expire(String route, Waiter w) {
        try {
            listings.execute(() -> {
                try {
                    w.answer.complete(lister.apply(route));
                } catch (RuntimeException e) {
                    w.answer.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            w.answer.complete(List.of());
        }
    }

    private void register(String route, Waiter w) {
        routes.compute(route, (k, rw) -> {
            RouteWaiters r = rw == null ? new RouteWaiters(k) : rw;
            r.waiters.add(w);
            return r;
        });
    }

    private void unregister(String route, Waiter w) {
        ScheduledFuture<?> t = w.timer;
        if (t != null) {
            t.cancel(false);
        }
        routes.computeIfPresent(route, (k, rw) -> {
            rw.waiters.remove(w);
            return rw.waiters.isEmpty() ? null : rw;
        });
        count.decrementAndGet();
    }

    /** Releases every waiter with the empty list (the node stops; the receiver asks again elsewhere). */
    @Override
    public void close() {
        closed = true;
        timers.shutdownNow();
        listings.shutdownNow();
        for (RouteWaiters rw : routes.values()) {
            rw.waiters.forEach(w -> w.answer.complete(List.of()));
        }
    }

    private static ThreadFactory named(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
