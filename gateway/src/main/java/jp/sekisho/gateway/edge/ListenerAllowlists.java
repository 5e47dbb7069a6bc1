package jp.sekisho.gateway.edge;

import java.net.InetAddress;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The live allowlist of every listener. Each connection reads the current snapshot at accept
 * time; {@link #update} replaces a listener's route CIDRs atomically, without a restart, and
 * applies to the next connection (established connections are judged again per request by the
 * routes layer).
 */
public final class ListenerAllowlists {

    private final Map<String, AtomicReference<Allowlist>> byName = new LinkedHashMap<>();

    public ListenerAllowlists(Map<String, List<Cidr>> ownCidrs) {
        ownCidrs.forEach(
                (name, cidrs) -> byName.put(name, new AtomicReference<>(new Allowlist(name, cidrs, List.of()))));
    }

    /**
     * Replaces the CIDRs that routes bound to {@code listener} contribute (the listener's own CIDRs
     * from the config stay). Call it with the union of all those routes' CIDRs whenever routes change.
     *
     * @throws IllegalArgumentException for a listener name not in the config
     */
    public void update(String listener, Collection<Cidr> routeCidrs) {
        AtomicReference<Allowlist> ref = ref(listener);
        ref.updateAndGet(old -> new Allowlist(listener, old.own(), List.copyOf(routeCidrs)));
    }

    public Allowlist current(String listener) {
        return ref(listener).get();
    }

    public boolean allows(String listener, InetAddress address) {
        return current(listener).allows(address);
    }

    private AtomicReference<Allowlist> ref(String listener) {
        AtomicReference<Allowlist> ref = byName.get(listener);
        if (ref == null) {
            throw new IllegalArgumentException("unknown listener: " + listener);
        }
        return ref;
    }
}
