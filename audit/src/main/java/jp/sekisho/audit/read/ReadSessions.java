package jp.sekisho.audit.read;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import jp.sekisho.audit.AuditPrincipal;

/**
 * The open {@link ReadSession}s, in memory and bounded: at most {@code max}; when full, expired ones
 * go first, then the oldest (whose live view is then refused and opens a new session, recorded
 * anew). Nothing is persisted: a gateway restart ends every session, which fails closed.
 */
public final class ReadSessions {

    /** How long a session lasts from its opening: a working day. */
    public static final Duration TTL = Duration.ofHours(8);

    /** Sessions held at most (a few hundred bytes each). */
    public static final int MAX = 1000;

    static final int MAX_PURPOSE = 200;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private final Duration ttl;
    private final int max;
    /** Insertion order is opening order: the first entry is the oldest. */
    private final Map<String, ReadSession> byId = new LinkedHashMap<>();

    public ReadSessions() {
        this(Clock.systemUTC(), TTL, MAX);
    }

    public ReadSessions(Clock clock, Duration ttl, int max) {
        this.clock = Objects.requireNonNull(clock);
        this.ttl = ttl;
        if (max < 1) {
            throw new IllegalArgumentException("max must be >= 1");
        }
        this.max = max;
    }

    /** Registers a session for {@code reader}; the caller has already recorded its AUDIT_READ. */
    synchronized ReadSession open(AuditPrincipal reader, String purpose, AuditQuery filter) {
        Objects.requireNonNull(reader, "reader");
        Objects.requireNonNull(filter, "filter");
        if (purpose == null || purpose.isBlank() || purpose.length() > MAX_PURPOSE) {
            throw new IllegalArgumentException(
                    "purpose: 1〜" + MAX_PURPOSE + "文字で指定してください / must be 1 to " + MAX_PURPOSE + " characters");
        }
        Instant now = clock.instant();
        byId.values().removeIf(s -> s.expiredAt(now));
        Iterator<String> oldest = byId.keySet().iterator();
        while (byId.size() >= max && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        ReadSession s = new ReadSession(id, reader, purpose, filter.filters(), now, now.plus(ttl));
        byId.put(id, s);
        return s;
    }

    /** The live session {@code id} of {@code reader}, or refused (unknown, expired, someone else's). */
    public synchronized ReadSession get(String id, AuditPrincipal reader) {
        ReadSession s = id == null ? null : byId.get(id);
        if (s == null) {
            throw new ReadSessionRefused(ReadSessionRefused.Why.UNKNOWN);
        }
        if (!s.reader().equals(reader)) {
            throw new ReadSessionRefused(ReadSessionRefused.Why.FOREIGN);
        }
        if (s.expiredAt(clock.instant())) {
            byId.remove(id);
            throw new ReadSessionRefused(ReadSessionRefused.Why.EXPIRED);
        }
        return s;
    }

    /**
     * Checks that {@code s} is a session this registry opened, still live, and that {@code q} reads
     * within its filter: the AUDIT_READ it recorded says truthfully what was read under it.
     */
    synchronized void check(ReadSession s, AuditQuery q) {
        ReadSession held = get(s.id(), s.reader());
        if (!held.equals(s)) {
            throw new ReadSessionRefused(ReadSessionRefused.Why.FOREIGN);
        }
        if (!held.filter().equals(q.filters())) {
            throw new ReadSessionRefused(ReadSessionRefused.Why.OTHER_FILTER);
        }
    }

    /** Ends {@code reader}'s session {@code id} early (a page closed); anything else is ignored. */
    public synchronized void close(String id, AuditPrincipal reader) {
        ReadSession s = id == null ? null : byId.get(id);
        if (s != null && s.reader().equals(reader)) {
            byId.remove(id);
        }
    }

    synchronized int size() {
        return byId.size();
    }
}
