package jp.sekisho.gateway.transfer;

import java.time.Clock;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.config.SpoolLimits;
import jp.sekisho.gateway.http.Metrics;
import jp.sekisho.gateway.policy.PolicyServices;

/** Wires the transfer layer of one node: repository, spool under data-dir, receipt signer, service. */
public final class TransferServices {

    private TransferServices() {}

    public static TransferService start(
            GatewayConfig config, AuditStore store, PolicyServices policy, Clock clock, Metrics metrics) {
        ReceiptSigner signer = new ReceiptSigner(store.signingKey());
        Spool spool = new Spool(
                config.dataDir().resolve("spool"), SpoolLimits.from(config.raw().get("spool"), config.source()));
        TransferRepository repo = new TransferRepository(store.database().dataSource());
        return new TransferService(
                        config.nodeId(),
                        repo,
                        spool,
                        policy.watcher(),
                        new TransferMeter(store.log(), metrics),
                        signer,
                        clock)
                .start();
    }
}
