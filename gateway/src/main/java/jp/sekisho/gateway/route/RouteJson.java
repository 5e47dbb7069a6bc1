package jp.sekisho.gateway.route;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Duration;
import java.util.List;

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
            @Nullable String state) {

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
                    allowCbc);
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
    public record ApplyRequest(List<View> routes, boolean dryRun) {}

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
            String state) {}

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
                state == null ? null : state.name());
    }

    private static List<PartyView> views(List<Party> parties) {
        return parties.stream()
                .map(p -> new PartyView(p.subject(), p.sha256(), p.allow()))
                .toList();
    }
}
