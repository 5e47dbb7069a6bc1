package jp.sekisho.gateway.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import jp.sekisho.certs.Pem;
import jp.sekisho.gateway.admission.Reason;

/**
 * The configured CRL files, re-read whenever a file's modification time or size changes (checked on
 * every verification: a stat per handshake), so that a revocation takes effect without a restart.
 * Fails closed: a CRL that cannot be read or whose signature does not verify against a trust anchor
 * counts as missing (CRL_UNAVAILABLE), and one past its nextUpdate is CRL_EXPIRED.
 */
public final class CrlStore {

    private final List<Path> files;
    private final List<X509Certificate> anchors;
    private final Clock clock;
    private final ConcurrentHashMap<Path, Loaded> cache = new ConcurrentHashMap<>();

    private record Loaded(long mtimeNanos, long size, Object fileKey, X509CRL crl) {}

    /** The outcome of a revocation check: null reason means not revoked. */
    public record Verdict(String reason, String detail) {}

    public CrlStore(List<Path> files, List<X509Certificate> anchors, Clock clock) {
        this.files = List.copyOf(files);
        this.anchors = List.copyOf(anchors);
        this.clock = clock;
    }

    /**
     * One configured CRL file as the next handshake reads it.
     *
     * @param crl     the CRL, or null when the file cannot be read or no trust anchor signed it
     * @param refusal why handshakes refuse the issuer's certificates because of this file now
     *                (CRL_UNAVAILABLE, CRL_EXPIRED), or null while it is current
     */
    public record CrlFile(Path path, X509CRL crl, Reason refusal) {}

    /** Every configured CRL file as the handshakes see it now (re-read if it changed), in configured order. */
    public List<CrlFile> files() {
        long now = clock.millis();
        return files.stream()
                .map(p -> {
                    X509CRL crl = current(p);
                    return new CrlFile(p, crl, crl == null ? Reason.CRL_UNAVAILABLE : staleness(crl, now));
                })
                .toList();
    }

    /**
     * Why a CRL fails every check of its issuer's certificates at {@code nowMillis}: CRL_EXPIRED past
     * its nextUpdate (or without one), CRL_UNAVAILABLE when dated more than five minutes ahead; null
     * when it is current.
     */
    static Reason staleness(X509CRL crl, long nowMillis) {
        if (crl.getNextUpdate() == null || crl.getNextUpdate().toInstant().toEpochMilli() < nowMillis) {
            return Reason.CRL_EXPIRED;
        }
        if (crl.getThisUpdate() != null && crl.getThisUpdate().toInstant().toEpochMilli() > nowMillis + 300_000) {
            return Reason.CRL_UNAVAILABLE;
        }
        return null;
    }

    /** Checks {@code cert}, issued by {@code issuer}, against the current CRL(s) of that issuer. */
    public Verdict check(X509Certificate cert, X509Certificate issuer) {
        List<X509CRL> crls = crlsOf(issuer);
        if (crls.isEmpty()) {
            return new Verdict(
                    Reason.CRL_UNAVAILABLE.code(),
                    "no valid CRL for " + issuer.getSubjectX500Principal().getName());
        }
        long now = clock.millis();
        for (X509CRL crl : crls) {
            Reason stale = staleness(crl, now);
            if (stale == Reason.CRL_EXPIRED) {
                return new Verdict(
                        Reason.CRL_EXPIRED.code(),
                        "CRL of " + issuer.getSubjectX500Principal().getName() + " was due for renewal at "
                                + (crl.getNextUpdate() == null
                                        ? "?"
                                        : crl.getNextUpdate().toInstant()));
            }
            if (stale == Reason.CRL_UNAVAILABLE) {
                return new Verdict(Reason.CRL_UNAVAILABLE.code(), "CRL is dated in the future");
            }
            if (crl.isRevoked(cert)) {
                return new Verdict(
                        Reason.REVOKED.code(),
                        "serial " + cert.getSerialNumber().toString(16) + " is on the CRL");
            }
        }
        return new Verdict(null, null);
    }

    private List<X509CRL> crlsOf(X509Certificate issuer) {
        List<X509CRL> out = new ArrayList<>();
        for (Path p : files) {
            X509CRL crl = current(p);
            if (crl != null && crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
                try {
                    crl.verify(issuer.getPublicKey());
                    out.add(crl);
                } catch (GeneralSecurityException e) {
                    // a CRL with the issuer's name but not its signature is ignored: fail closed
                }
            }
        }
        return out;
    }

    private X509CRL current(Path p) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (IOException e) {
            cache.remove(p);
            return null;
        }
        long mtime = attrs.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
        Loaded l = cache.get(p);
        if (l != null
                && l.mtimeNanos == mtime
                && l.size == attrs.size()
                && java.util.Objects.equals(l.fileKey, attrs.fileKey())) {
            return l.crl;
        }
        try {
            X509CRL crl = Pem.readCrl(p);
            if (issuerOf(crl, anchors) == null) {
                cache.remove(p);
                return null;
            }
            cache.put(p, new Loaded(mtime, attrs.size(), attrs.fileKey(), crl));
            return crl;
        } catch (RuntimeException e) {
            cache.remove(p); // half-written or corrupt: no CRL now, try again on the next handshake
            return null;
        }
    }

    /** The anchor whose key verifies the CRL's signature, or null. */
    static X509Certificate issuerOf(X509CRL crl, List<X509Certificate> anchors) {
        for (X509Certificate a : anchors) {
            if (crl.getIssuerX500Principal().equals(a.getSubjectX500Principal())) {
                try {
                    crl.verify(a.getPublicKey());
                    return a;
                } catch (GeneralSecurityException e) {
                    // try the next anchor
                }
            }
        }
        return null;
    }
}
