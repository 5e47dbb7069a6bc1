package jp.sekisho.gateway.route;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import jp.sekisho.gateway.relay.OpeningHours;
import jp.sekisho.gateway.relay.RelayLimits;
import jp.sekisho.gateway.relay.RelayRoute;
import jp.sekisho.gateway.relay.RelaySpec;
import jp.sekisho.gateway.relay.Upstream;

/** Routes as the admin and transfer APIs show them (docs/openapi.yml). */
public final class RouteJson {

    private RouteJson() {}

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false) // a misspelt field is refused (JSON_INVALID), not ignored
    public record PartyView(
            @Nullable String subject, @Nullable String sha256, List<String> allow) {}

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false) // a misspelt field is refused (JSON_INVALID), not ignored
    public record View(
            String id,
            String listener,
            String approvalRef,
            List<PartyView> senders,
            List<PartyView> receivers,
            List<String> recipients,
            long maxPayloadBytes,
            long retentionSeconds,
            boolean allowCbc,
            @Nullable String state,
            @Nullable Boolean compression) {

        public Route toRoute() {
            return new Route(
                    id,
                    listener,
                    approvalRef,
                    parties(senders),
                    parties(receivers),
                    recipients == null ? List.of() : recipients,
                    maxPayloadBytes,
                    Duration.ofSeconds(retentionSeconds),
                    allowCbc,
                    compression == null || compression); // absent: allowed, the default
        }

        private static List<Party> parties(List<PartyView> views) {
            return views == null
                    ? List.of()
                    : views.stream()
                            .map(p -> new Party(p.subject(), p.sha256(), p.allow() == null ? List.of() : p.allow()))
                            .toList();
        }
    }

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false) // a misspelt field is refused (JSON_INVALID), not ignored
    public record ApplyRequest(
            @Nullable List<View> routes,
            @Nullable List<RelayView> relays,
            boolean dryRun,
            @Nullable Boolean prune) {}

    /** DELETE /api/v1/routes/{id}: why (required; kept with the route's history and in the audit log). */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record DeleteRequest(@Nullable String reason) {}

    /** The answer to a deletion; {@code deletedAt} in Asia/Tokyo. */
    @Serdeable
    public record DeleteResult(String id, String kind, String deletedAt, String deletedBy, String reason) {}

    /** GET /api/v1/routes: both kinds, each with its state now; an empty kind is an empty list, not left out. */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ListView(List<View> routes, List<RelayView> relays) {}

    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record TerminalView(
            @Nullable String subject, @Nullable String sha256, List<String> allow) {}

    /** {@code caPem}: the CA certificates the upstream's certificate must chain to, as PEM text (pinned). */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record UpstreamView(
            String url, @Nullable String caPem, @Nullable String host, boolean closedNetwork) {}

    /** Days {@code mon}..{@code sun}, times {@code HH:mm}, Asia/Tokyo. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record HoursView(List<String> days, String from, String to) {}

    /** A missing field takes the routes file's default. */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record LimitsView(
            @Nullable List<String> methods,
            @Nullable List<String> pathPrefixes,
            @Nullable Long maxBodyBytes,
            @Nullable Integer requestsPerSecond,
            @Nullable HoursView hours,
            boolean websocket) {}

    /**
     * A relay route (docs/relay.md), mirroring {@link RelayRoute}: {@code mode} is the routes file's
     * terminal-mode ({@code mtls}, {@code tls}, {@code http}); the shape {@link RelaySpec#toMap} writes.
     */
    @Serdeable
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record RelayView(
            String id,
            String listener,
            String approvalRef,
            String mode,
            List<TerminalView> terminals,
            UpstreamView upstream,
            @Nullable LimitsView limits,
            @Nullable String state) {

        /** The route; IllegalArgumentException or NullPointerException for what cannot be one. */
        public RelayRoute toRelay() {
            LimitsView l = limits;
            RelayLimits d = RelayLimits.DEFAULTS;
            RelayLimits limits = l == null
                    ? d
                    : new RelayLimits(
                            l.methods() == null ? d.methods() : Set.copyOf(l.methods()),
                            l.pathPrefixes() == null ? d.pathPrefixes() : l.pathPrefixes(),
                            l.maxBodyBytes() == null ? d.maxBodyBytes() : l.maxBodyBytes(),
                            l.requestsPerSecond() == null ? d.requestsPerSecond() : l.requestsPerSecond(),
                            l.hours() == null
                                    ? null
                                    : new OpeningHours(
                                            RelaySpec.daySet(l.hours().days()),
                                            RelaySpec.time(l.hours().from()),
                                            RelaySpec.time(l.hours().to())),
                            l.websocket());
            return new RelayRoute(
                    id,
                    listener,
                    approvalRef,
                    RelaySpec.mode(mode),
                    terminals == null
                            ? List.of()
                            : terminals.stream()
                                    .map(t -> new RelayRoute.Terminal(
                                            blankToNull(t.subject()),
                                            blankToNull(t.sha256()),
                                            t.allow() == null ? List.of() : t.allow()))
                                    .toList(),
                    new Upstream(
                            URI.create(upstream.url()),
                            blankToNull(upstream.caPem()),
                            blankToNull(upstream.host()),
                            upstream.closedNetwork()),
                    limits);
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s;
        }
    }

    public static RelayView relayView(RelayRoute r, @Nullable RouteState state) {
        RelayLimits l = r.limits();
        return new RelayView(
                r.id(),
                r.listener(),
                r.approvalRef(),
                r.mode().yaml(),
                r.terminals().stream()
                        .map(t -> new TerminalView(t.subject(), t.sha256(), t.allow()))
                        .toList(),
                new UpstreamView(
                        r.upstream().url().toString(),
                        r.upstream().caPem(),
                        r.upstream().host(),
                        r.upstream().closedNetwork()),
                new LimitsView(
                        l.methods().stream().sorted().toList(),
                        l.pathPrefixes(),
                        l.maxBodyBytes(),
                        l.requestsPerSecond(),
                        l.hours() == null
                                ? null
                                : new HoursView(
                                        RelaySpec.days(l.hours().days()),
                                        l.hours().from().format(RelaySpec.HH_MM),
                                        l.hours().to().format(RelaySpec.HH_MM)),
                        l.websocket()),
                state == null ? null : state.name());
    }

    @Serdeable
    public record ChangeView(String kind, String id, String line) {}

    @Serdeable
    public record ApplyResult(boolean applied, boolean dryRun, List<ChangeView> changes) {}

    /** What a sender or receiver must respect on a route: the client checks its CSV against these before sealing. */
    @Serdeable
    public record Terms(
            String route,
            String approvalRef,
            String approvalTitle,
            List<String> dataItems,
            long maxRecords,
            long maxPayloadBytes,
            boolean allowCbc,
            List<String> recipients,
            String state,
            boolean compression) {}

    public static View view(Route r, @Nullable RouteState state) {
        return new View(
                r.id(),
                r.listener(),
                r.approvalRef(),
                views(r.senders()),
                views(r.receivers()),
                r.recipientCertificates(),
                r.maxPayloadBytes(),
                r.retention().toSeconds(),
                r.allowCbc(),
                state == null ? null : state.name(),
                r.compression());
    }

    private static List<PartyView> views(List<Party> parties) {
        return parties.stream()
                .map(p -> new PartyView(p.subject(), p.sha256(), p.allow()))
                .toList();
    }
}
