package jp.sekisho.certs;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/** A private key with its certificate chain (end-entity first): a sender's signing identity or a receiver's decryption key. */
public record Identity(PrivateKey privateKey, List<X509Certificate> chain) {

    public Identity {
        Objects.requireNonNull(privateKey, "privateKey");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("an identity needs its certificate");
        }
    }

    public X509Certificate certificate() {
        return chain.get(0);
    }
}
