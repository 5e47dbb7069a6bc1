package jp.sekisho.gateway.operations;

import io.micronaut.core.annotation.Nullable;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.tls.CrlStore;

/**
 * One configured CRL file as the handshakes read it now. The gateway fails closed: while the file
 * is unreadable or past its nextUpdate, every certificate of its issuer is refused.
 *
 * @param issuer     null when the file cannot be read or no trust anchor signed it
 * @param thisUpdate null with the issuer
 * @param nextUpdate null when unreadable (or the CRL has none, which counts as expired)
 * @param refusal    CRL_UNAVAILABLE or CRL_EXPIRED while handshakes refuse because of it, else null
 */
public record CrlRow(
        String file,
        @Nullable String issuer,
        @Nullable Instant thisUpdate,
        @Nullable Expiry nextUpdate,
        @Nullable Reason refusal) {

    /** A CRL is re-signed every few days: a week ahead is the time to look at why it has not been. */
    static final Duration WARN_BEFORE = Duration.ofDays(7);

    public static CrlRow of(CrlStore.CrlFile f, Instant now) {
        X509CRL crl = f.crl();
        if (crl == null) {
            return new CrlRow(f.path().toString(), null, null, null, f.refusal());
        }
        return new CrlRow(
                f.path().toString(),
                crl.getIssuerX500Principal().getName(),
                crl.getThisUpdate() == null ? null : crl.getThisUpdate().toInstant(),
                crl.getNextUpdate() == null
                        ? null
                        : Expiry.of(crl.getNextUpdate().toInstant(), now, WARN_BEFORE),
                f.refusal());
    }

    public static List<CrlRow> all(CrlStore store, Instant now) {
        return store.files().stream().map(f -> of(f, now)).toList();
    }

    /** Shown highlighted: refused now, or due within the week. */
    public boolean warn() {
        return refusal != null || nextUpdate == null || nextUpdate.warn();
    }
}
