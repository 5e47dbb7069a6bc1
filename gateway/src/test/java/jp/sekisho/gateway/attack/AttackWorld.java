package jp.sekisho.gateway.attack;

import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import jp.sekisho.gateway.transfer.Tls;
import jp.sekisho.gateway.transfer.TransferWorld;

/**
 * The gateway every category attacks: the parties of {@link TransferWorld} plus an auditor, an
 * operator and a certificate with no role, one active route "benefit" (approval REF-1) whose
 * receiver's inbox is the delivery state each case must leave unchanged.
 */
final class AttackWorld implements AutoCloseable {

    static final String LISTENERS = """
              transfer: { bind: 127.0.0.1, port: 0, allow: [10.255.255.254/32],
                          proxy-protocol: { trusted: [127.0.0.4/32] } }
              admin:    { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }
            """;
    static final String PRINCIPALS = TransferWorld.PRINCIPALS;
    static final String ROUTE = "benefit";
    static final String APPROVAL = "REF-1";

    final TransferWorld w;

    AttackWorld(Path dir) throws Exception {
        w = new TransferWorld(dir, LISTENERS, PRINCIPALS, List.of("nobody"));
        w.approve(APPROVAL, 1000);
    }

    /** Applies the routes: "benefit" and any more entries (YAML items, see {@link TransferWorld#route}). */
    void routes(String more) throws Exception {
        w.routes("routes:\n" + TransferWorld.route(ROUTE, APPROVAL, null) + more);
    }

    SSLContext tls(String who) throws Exception {
        return Tls.client(w.pki.dir().resolve(who + ".p12"), w.pki.caFile());
    }

    int port(String listener) {
        return w.gw.gateway.port(listener);
    }

    Path spool() {
        return w.gw.dir.resolve("data").resolve("spool");
    }

    @Override
    public void close() throws Exception {
        w.close();
    }
}
