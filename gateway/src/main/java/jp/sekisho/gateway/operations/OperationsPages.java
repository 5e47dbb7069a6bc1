package jp.sekisho.gateway.operations;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.console.ConsolePage;
import jp.sekisho.gateway.console.templates.operations.JteindexGenerated;
import jp.sekisho.gateway.edge.ListenerAllowlists;
import jp.sekisho.gateway.http.GatewayInfo;
import jp.sekisho.gateway.http.ListenerPorts;
import jp.sekisho.gateway.identity.AdminApi;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;
import jp.sekisho.gateway.tls.TlsInventory;
import jp.sekisho.gateway.transfer.SpoolSpace;
import jp.sekisho.gateway.transfer.TransferService;

/**
 * The operator's page: the listeners and who may connect to each, the expiry of the certificates
 * and CRLs the gateway relies on (it fails closed when a CRL expires), the spool's free space and
 * whether the audit store takes events. Read-only, from what the running gateway uses.
 */
@AdminApi
@Controller("/console/operations")
@RequiresRole(Role.OPERATOR)
@ExecuteOn(TaskExecutors.BLOCKING)
public final class OperationsPages {

    private final ConsolePage page;
    private final GatewayConfig config;
    private final GatewayInfo info;
    private final ListenerPorts ports;
    private final ListenerAllowlists allowlists;
    private final TlsInventory tls;
    private final TransferService transfers;
    private final AuditStore audit;
    private final Clock clock;

    public OperationsPages(
            ConsolePage page,
            GatewayConfig config,
            GatewayInfo info,
            ListenerPorts ports,
            ListenerAllowlists allowlists,
            TlsInventory tls,
            TransferService transfers,
            AuditStore audit,
            Clock clock) {
        this.page = page;
        this.config = config;
        this.info = info;
        this.ports = ports;
        this.allowlists = allowlists;
        this.tls = tls;
        this.transfers = transfers;
        this.audit = audit;
        this.clock = clock;
    }

    @Get
    @Produces("text/html")
    public HttpResponse<?> page(HttpRequest<?> request, Principal principal) {
        Instant now = clock.instant();
        List<ListenerRow> listeners = config.listenerList().stream()
                .map(l -> ListenerRow.of(l, ports.of(l.name()), allowlists.current(l.name())))
                .toList();
        List<CertificateRow> certificates = CertificateRow.all(tls, now);
        List<CrlRow> crls = CrlRow.all(tls.crls(), now);
        SpoolSpace space = transfers.spool().space();
        long usable = space.usable();
        StorageRow storage = new StorageRow(
                usable,
                space.used(),
                space.reserve(),
                space.low(usable),
                audit.postgresLog().isAvailable());
        return page.render(
                request,
                principal,
                "ops.title",
                (v, out) ->
                        JteindexGenerated.render(out, null, v, info.nodeId(), listeners, certificates, crls, storage));
    }
}
