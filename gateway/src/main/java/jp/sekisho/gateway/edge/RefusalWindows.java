package jp.sekisho.gateway.edge;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import jp.sekisho.audit.EventType;

/**
 * Bounds the audit rows a flood of refused connections can write, without losing count of one.
 * Refusals are grouped by {@link Key} (event type, listener, source address, reason, and the presented certificate
 * for TLS failures) in windows of {@code interval}: the first refusal of a window is written at once as
 * its own event; the further ones are only counted, and written as one summary event when the window
 * closes (by {@link #sweep}, run every second, or {@link #flushAll} at shutdown). A source thus writes
 * at most two rows per key and window. The table holds at most {@code maxKeys} keys: refusals for any
 * further key are folded into one overflow key (no address), itself counted and summarised.
 */
public final class RefusalWindows {

    /**
     * What refusals are grouped by. {@code ip} is null for the overflow bucket; {@code cert} is the
     * presented certificate's fingerprint for TLS failures, else null.
     */
    public record Key(EventType type, String listener, int listenerPort, String ip, String reason, String cert) {}

    /**
     * A closed window's further refusals: {@code count} of them (after the first, which was written on
     * its own), between {@code first} and {@code last}.
     */
    public record Summary(Key key, long count, Instant first, Instant last, Duration interval) {

        /** The event detail: {"aggregated":true,"count":N,"first":...,"last":...,"intervalSeconds":S}. */
        public String detailJson() {
            return "{\"aggregated\":true,\"count\":" + count + ",\"first\":\"" + first + "\",\"last\":\"" + last
                    + "\",\"intervalSeconds\":" + interval.toSeconds()
                    + (key.ip() == null ? ",\"sources\":\"overflow\"" : "") + "}";
        }
    }

    private static final class Window {
        final Instant start;
        long count;
        Instant first;
        Instant last;

        Window(Instant start) {
            this.start = start;
        }
    }

    private final Duration interval;
    private final int maxKeys;
    private final Clock clock;
    private final ConcurrentHashMap<Key, Window> windows = new ConcurrentHashMap<>();

    public RefusalWindows(Duration interval, int maxKeys, Clock clock) {
        this.interval = interval;
        this.maxKeys = maxKeys;
        this.clock = clock;
    }

    /**
     * Counts one refusal. Returns true when it opens a window (write it as its own event now); a
     * summary of the previous window of the same key, if it had further refusals, goes to
     * {@code closed}.
     */
    public boolean count(Key given, Consumer<Summary> closed) {
        Instant now = clock.instant();
        Key key = windows.containsKey(given) || windows.size() < maxKeys
                ? given
                : new Key(given.type(), "*", 0, null, given.reason(), null);
        Summary[] ended = new Summary[1];
        boolean[] opened = new boolean[1];
        windows.compute(key, (k, w) -> {
            if (w != null && now.isBefore(w.start.plus(interval))) {
                w.count++;
                if (w.first == null) {
                    w.first = now;
                }
                w.last = now;
                return w;
            }
            if (w != null && w.count > 0) {
                ended[0] = new Summary(k, w.count, w.first, w.last, interval);
            }
            opened[0] = true;
            return new Window(now);
        });
        if (ended[0] != null) {
            closed.accept(ended[0]);
        }
        return opened[0];
    }

    /** Closes the windows whose interval has passed: their summaries, and frees their keys. */
    public List<Summary> sweep() {
        Instant now = clock.instant();
        List<Summary> out = new ArrayList<>();
        for (Key k : windows.keySet()) {
            windows.computeIfPresent(k, (key, w) -> {
                if (now.isBefore(w.start.plus(interval))) {
                    return w;
                }
                if (w.count > 0) {
                    out.add(new Summary(key, w.count, w.first, w.last, interval));
                }
                return null;
            });
        }
        return out;
    }

    /** Closes every window now (shutdown): nothing counted is left unwritten. */
    public List<Summary> flushAll() {
        List<Summary> out = new ArrayList<>();
        for (Key k : windows.keySet()) {
            windows.computeIfPresent(k, (key, w) -> {
                if (w.count > 0) {
                    out.add(new Summary(key, w.count, w.first, w.last, interval));
                }
                return null;
            });
        }
        return out;
    }

    /** Keys held now (tests, metrics). */
    public int size() {
        return windows.size();
    }
}
