package jp.sekisho.gateway.edge;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per source address for new connections: {@code perSecond} sustained, {@code burst}
 * at once. An address over it is refused (CONNECTION_RATE_LIMITED) before TLS, so one host cannot
 * spend the gateway's handshakes. The table is bounded: idle (full) buckets are dropped when it
 * fills, and addresses beyond the bound share one bucket of their own.
 */
public final class ConnectionRate {

    static final int MAX_ADDRESSES = 10_000;

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    private final double perNano;
    private final int burst;
    private final ConcurrentHashMap<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();
    private final Bucket overflow;
    private volatile long lastDrop;

    public ConnectionRate(int perSecond, int burst) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.overflow = new Bucket(burst, System.nanoTime());
    }

    /** Takes a token for a new connection from {@code address}; false when its bucket is empty. */
    public boolean tryAcquire(InetAddress address) {
        long now = System.nanoTime();
        Bucket b = buckets.get(address);
        if (b == null) {
            if (buckets.size() >= MAX_ADDRESSES && now - lastDrop > 1_000_000_000L) {
                lastDrop = now; // at most one scan a second, however many new addresses arrive
                dropIdle(now);
            }
            b = buckets.size() < MAX_ADDRESSES
                    ? buckets.computeIfAbsent(address, a -> new Bucket(burst, now))
                    : overflow;
        }
        synchronized (b) {
            b.tokens = Math.min(burst, b.tokens + (now - b.at) * perNano);
            b.at = now;
            if (b.tokens < 1) {
                return false;
            }
            b.tokens -= 1;
            return true;
        }
    }

    private void dropIdle(long now) {
        buckets.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                return e.getValue().tokens + (now - e.getValue().at) * perNano >= burst;
            }
        });
    }
}
