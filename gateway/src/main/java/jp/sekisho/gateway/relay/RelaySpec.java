package jp.sekisho.gateway.relay;

import java.math.BigDecimal;
import java.net.URI;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import jp.sekisho.audit.json.Json;

/**
 * A relay route as one JSON object, the admin API's shape ({@code RouteJson.RelayView}, camelCase,
 * mirroring {@link RelayRoute}): what the CLI sends, and in canonical form (fixed key order, methods
 * and days sorted) what the {@code relay_route.spec} column holds and the row's seal covers.
 */
public final class RelaySpec {

    public static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
    private static final String[] DAYS = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

    private RelaySpec() {}

    /** The route as ordered maps and lists (a JSON object; nulls kept as null). */
    public static Map<String, Object> toMap(RelayRoute r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("listener", r.listener());
        m.put("approvalRef", r.approvalRef());
        m.put("mode", r.mode().yaml());
        List<Object> terminals = new ArrayList<>();
        for (RelayRoute.Terminal t : r.terminals()) {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("subject", t.subject());
            tm.put("sha256", t.sha256());
            tm.put("allow", t.allow());
            terminals.add(tm);
        }
        m.put("terminals", terminals);
        Upstream u = r.upstream();
        Map<String, Object> um = new LinkedHashMap<>();
        um.put("url", u.url().toString());
        um.put("caPem", u.caPem());
        um.put("host", u.host());
        um.put("closedNetwork", u.closedNetwork());
        m.put("upstream", um);
        RelayLimits l = r.limits();
        Map<String, Object> lm = new LinkedHashMap<>();
        lm.put("methods", List.copyOf(new TreeSet<>(l.methods())));
        lm.put("pathPrefixes", l.pathPrefixes());
        lm.put("maxBodyBytes", l.maxBodyBytes());
        lm.put("requestsPerSecond", l.requestsPerSecond());
        if (l.hours() == null) {
            lm.put("hours", null);
        } else {
            Map<String, Object> hm = new LinkedHashMap<>();
            hm.put("days", days(l.hours().days()));
            hm.put("from", l.hours().from().format(HH_MM));
            hm.put("to", l.hours().to().format(HH_MM));
            lm.put("hours", hm);
        }
        lm.put("websocket", l.websocket());
        m.put("limits", lm);
        return m;
    }

    /** The canonical JSON text: what the database stores and the seal covers. */
    public static String canonical(RelayRoute r) {
        StringBuilder sb = new StringBuilder();
        Json.write(sb, toMap(r));
        return sb.toString();
    }

    /** Reads {@link #canonical} text back (any key order); IllegalArgumentException when it is not a relay route. */
    public static RelayRoute parse(String json) {
        Map<String, Object> m = Json.parseObject(json);
        try {
            List<RelayRoute.Terminal> terminals = new ArrayList<>();
            for (Object o : list(m.get("terminals"))) {
                Map<?, ?> t = (Map<?, ?>) o;
                terminals.add(new RelayRoute.Terminal(
                        (String) t.get("subject"), (String) t.get("sha256"), strings(t.get("allow"))));
            }
            Map<?, ?> u = (Map<?, ?>) m.get("upstream");
            Map<?, ?> l = (Map<?, ?>) m.get("limits");
            Map<?, ?> h = (Map<?, ?>) l.get("hours");
            OpeningHours hours = h == null
                    ? null
                    : new OpeningHours(
                            daySet(strings(h.get("days"))),
                            LocalTime.parse((String) h.get("from"), HH_MM),
                            LocalTime.parse((String) h.get("to"), HH_MM));
            return new RelayRoute(
                    (String) m.get("id"),
                    (String) m.get("listener"),
                    (String) m.get("approvalRef"),
                    mode((String) m.get("mode")),
                    terminals,
                    new Upstream(
                            URI.create((String) u.get("url")),
                            (String) u.get("caPem"),
                            (String) u.get("host"),
                            (Boolean) u.get("closedNetwork")),
                    new RelayLimits(
                            Set.copyOf(strings(l.get("methods"))),
                            strings(l.get("pathPrefixes")),
                            ((BigDecimal) l.get("maxBodyBytes")).longValueExact(),
                            ((BigDecimal) l.get("requestsPerSecond")).intValueExact(),
                            hours,
                            (Boolean) l.get("websocket")));
        } catch (ClassCastException | NullPointerException | ArithmeticException | java.time.DateTimeException e) {
            throw new IllegalArgumentException("not a relay route: " + e.getMessage(), e);
        }
    }

    /** {@code mtls}, {@code tls} or {@code http}; IllegalArgumentException otherwise. */
    public static TerminalMode mode(String text) {
        for (TerminalMode t : TerminalMode.values()) {
            if (t.yaml().equals(text)) {
                return t;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a terminal mode (mtls, tls or http)");
    }

    /** {@code mon}..{@code sun}; IllegalArgumentException otherwise. */
    public static DayOfWeek day(String text) {
        for (int i = 0; i < DAYS.length; i++) {
            if (DAYS[i].equals(text)) {
                return DayOfWeek.of(i + 1);
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a day (mon, tue, wed, thu, fri, sat, sun)");
    }

    public static Set<DayOfWeek> daySet(List<String> days) {
        Set<DayOfWeek> set = new TreeSet<>();
        for (String d : days) {
            if (!set.add(day(d))) {
                throw new IllegalArgumentException("day '" + d + "' appears twice");
            }
        }
        return set;
    }

    /** Days in week order, as {@code mon}..{@code sun}. */
    public static List<String> days(Set<DayOfWeek> days) {
        return new TreeSet<>(days).stream().map(d -> DAYS[d.getValue() - 1]).toList();
    }

    /** A time of day written {@code HH:mm}; IllegalArgumentException otherwise. */
    public static LocalTime time(String text) {
        if (text == null || !text.matches("([01][0-9]|2[0-3]):[0-5][0-9]")) {
            throw new IllegalArgumentException("'" + text + "' is not a time HH:mm (e.g. \"08:30\")");
        }
        return LocalTime.parse(text, HH_MM);
    }

    private static List<?> list(Object o) {
        return (List<?>) o;
    }

    private static List<String> strings(Object o) {
        return list(o).stream().map(x -> (String) x).toList();
    }
}
