package jp.sekisho.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.sekisho.audit.config.StrictMap;

/**
 * The optional {@code edge:} section (docs/gateway-config.md): how refused connections are summarised
 * in the audit log and how many connections one source address may open.
 *
 * @param refusalWindow        refusals from one source (and reason) within this window are written as
 *                             the first one plus one summary event
 * @param connectionsPerSecond sustained new connections per source address before
 *                             CONNECTION_RATE_LIMITED (a token bucket)
 * @param connectionBurst      the bucket's size: connections one address may open at once
 */
public record EdgeLimits(Duration refusalWindow, int connectionsPerSecond, int connectionBurst) {

    public static final EdgeLimits DEFAULTS = new EdgeLimits(Duration.ofSeconds(10), 200, 2000);
    private static final Set<String> KEYS = Set.of("refusal-window", "connections-per-second", "connection-burst");
    private static final Pattern SECONDS = Pattern.compile("(\\d{1,5})s?");

    /** Reads the section (null: the defaults); a mistake is a {@link ConfigException} naming the key. */
    public static EdgeLimits from(Object section, Path file) {
        if (section == null) {
            return DEFAULTS;
        }
        Map<String, Object> m = StrictMap.of(section, file.toString(), "edge", KEYS, ConfigException::new)
                .values();
        Duration window = DEFAULTS.refusalWindow();
        if (m.get("refusal-window") != null) {
            Matcher s = SECONDS.matcher(String.valueOf(m.get("refusal-window")));
            if (!s.matches() || Integer.parseInt(s.group(1)) < 1 || Integer.parseInt(s.group(1)) > 3600) {
                throw new ConfigException(
                        file + ": edge.refusal-window: must be 1s to 3600s, got '" + m.get("refusal-window") + "'");
            }
            window = Duration.ofSeconds(Integer.parseInt(s.group(1)));
        }
        int rate = positive(
                m.get("connections-per-second"), DEFAULTS.connectionsPerSecond(), file, "connections-per-second");
        int burst = positive(
                m.get("connection-burst"), Math.max(rate, DEFAULTS.connectionBurst()), file, "connection-burst");
        if (burst < rate) {
            throw new ConfigException(
                    file + ": edge.connection-burst: must be at least connections-per-second (" + rate + ")");
        }
        return new EdgeLimits(window, rate, burst);
    }

    private static int positive(Object v, int dflt, Path file, String key) {
        if (v == null) {
            return dflt;
        }
        if (v instanceof Integer i && i >= 1 && i <= 1_000_000) {
            return i;
        }
        throw new ConfigException(
                file + ": edge." + key + ": must be a whole number from 1 to 1000000, got '" + v + "'");
    }
}
