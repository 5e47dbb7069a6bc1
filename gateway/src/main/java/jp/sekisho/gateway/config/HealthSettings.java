package jp.sekisho.gateway.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.sekisho.gateway.edge.Cidr;

/**
 * The optional {@code health:} section (docs/gateway-config.md): a plain-HTTP health endpoint for a
 * load balancer on its own address, answering only the configured networks.
 *
 * @param bind  the address it listens on (a literal)
 * @param port  its port; 0 picks a free one (tests)
 * @param allow the networks whose connections it answers; any other is closed before HTTP
 */
public record HealthSettings(String bind, int port, List<Cidr> allow) {

    private static final Set<String> KEYS = Set.of("listen", "allow");
    /** {@code 127.0.0.1:9444} or {@code [::1]:9444}. */
    private static final Pattern LISTEN = Pattern.compile("(?:\\[([0-9A-Fa-f:.]{2,45})]|([0-9.]{7,15})):(\\d{1,5})");

    public HealthSettings {
        allow = List.copyOf(allow);
    }

    /** Reads the section; null when there is none (no health listener). A mistake names the key. */
    public static HealthSettings from(Object section, Path file) {
        if (section == null) {
            return null;
        }
        if (!(section instanceof Map<?, ?> m)) {
            throw new ConfigException(file + ": health: expected a mapping (listen, allow)");
        }
        for (Object k : m.keySet()) {
            if (!KEYS.contains(String.valueOf(k))) {
                throw new ConfigException(file + ": health." + k + ": unknown key (expected one of "
                        + String.join(", ", new TreeSet<>(KEYS)) + ")");
            }
        }
        Object listen = m.get("listen");
        Matcher l = LISTEN.matcher(listen == null ? "" : String.valueOf(listen));
        if (!l.matches()) {
            throw new ConfigException(
                    file + ": health.listen: expected ADDRESS:PORT (e.g. 127.0.0.1:9444), got '" + clip(listen) + "'");
        }
        String bind = l.group(1) != null ? l.group(1) : l.group(2);
        if (Cidr.parseAddress(bind) == null) {
            throw new ConfigException(file + ": health.listen: '" + clip(bind) + "' is not an IP address");
        }
        int port = Integer.parseInt(l.group(3));
        if (port > 65535) {
            throw new ConfigException(file + ": health.listen: port must be 0 to 65535, got " + port);
        }
        if (!(m.get("allow") instanceof List<?> list) || list.isEmpty()) {
            throw new ConfigException(file
                    + ": health.allow: expected a list of CIDRs (the load balancers' addresses), e.g. [10.0.0.5/32]");
        }
        List<Cidr> allow = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            try {
                allow.add(Cidr.parse(String.valueOf(list.get(i))));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(
                        file + ": health.allow[" + i + "]: '" + clip(list.get(i)) + "' " + e.getMessage());
            }
        }
        return new HealthSettings(bind, port, allow);
    }

    private static String clip(Object o) {
        String s = String.valueOf(o).replaceAll("\\p{Cntrl}", "?");
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}
