package jp.sekisho.gateway.tls;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The TLS set-up the running gateway uses, for the operator's page: its server certificate chain as
 * loaded at start, the trust anchors client certificates must chain to, and the CRLs as the
 * handshakes read them now. No private key.
 */
public record TlsInventory(List<X509Certificate> serverChain, List<X509Certificate> trustAnchors, CrlStore crls) {

    public TlsInventory {
        serverChain = List.copyOf(serverChain);
        trustAnchors = List.copyOf(trustAnchors);
    }
}
