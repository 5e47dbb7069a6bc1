package jp.sekisho.gateway.transfer;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.config.AuditConfig;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.policy.PolicyServices;

/** Wires the transfer layer of one node: repository, spool under data-dir, receipt signer, service. */
public final class TransferServices {

    private TransferServices() {
    }

    public static TransferService start(GatewayConfig config, AuditStore store, PolicyServices policy, Clock clock) {
        Path key;
        try {
            key = AuditConfig.fromGatewayYaml(config.source()).audit().signingKey();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + config.source() + ": " + e.getMessage(), e);
        }
        ReceiptSigner signer = ReceiptSigner.load(key, store.signingKey().publicKey());
        Spool spool = new Spool(config.dataDir().resolve("spool"));
        TransferRepository repo = new TransferRepository(store.database().dataSource());
        return new TransferService(config.nodeId(), repo, spool, policy.watcher(), store.log(), signer, clock).start();
    }
}
