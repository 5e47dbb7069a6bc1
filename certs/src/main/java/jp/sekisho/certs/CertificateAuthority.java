package jp.sekisho.certs;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The deployment's private CA, kept as plain files in one folder:
 * {@code ca.pem}, {@code ca.key} (PKCS#8, optionally passphrase-protected), {@code crl.pem}, and
 * for each issued name {@code NAME.pem}, {@code NAME.key}, {@code NAME.p12}.
 * The folder is the whole state: revocations live in the CRL itself.
 */
public final class CertificateAuthority {

    public static final String CA_CERT = "ca.pem";
    public static final String CA_KEY = "ca.key";
    public static final String CRL = "crl.pem";
    public static final String GATEWAY = "gateway";

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Backdating absorbs small clock differences between the CA and the peers that check its certificates. */
    private static final Duration BACKDATE = Duration.ofMinutes(5);

    private final Path dir;
    private final X509Certificate caCert;
    private final PrivateKey caKey;
    private final Clock clock;
    private final CrlSigner crls;

    private CertificateAuthority(Path dir, X509Certificate caCert, PrivateKey caKey, Clock clock) {
        this.dir = dir;
        this.caCert = caCert;
        this.caKey = caKey;
        this.clock = clock;
        this.crls = new CrlSigner(dir.resolve(CRL), caCert, caKey, clock);
    }

    /**
     * Creates the CA, an empty CRL and the gateway's server certificate. Refuses, changing nothing,
     * when the folder already holds a CA key (unless {@code force}).
     */
    public static CertificateAuthority init(InitRequest req, Clock clock) {
        Path dir = req.dir();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new PkiException(dir + ": cannot create folder: " + e.getMessage(), e);
        }
        if (!req.force() && (Files.exists(dir.resolve(CA_KEY)) || Files.exists(dir.resolve(GATEWAY + ".key")))) {
            throw new PkiException(
                    dir + " already holds a CA; refusing to overwrite its keys (use --force to replace them)");
        }
        KeyPair caPair = KeyAlgorithm.EC_P256.generate();
        X500Name subject = name(req.org() + " CA", req.org(), null);
        Instant now = clock.instant();
        X509Certificate caCert = sign(
                new JcaX509v3CertificateBuilder(
                        subject,
                        serial(),
                        Date.from(now.minus(BACKDATE)),
                        Date.from(now.plus(Duration.ofDays(req.days()))),
                        subject,
                        caPair.getPublic()),
                caPair.getPublic(),
                null,
                caPair.getPrivate(),
                KeyAlgorithm.EC_P256,
                b -> UsageProfile.applyCa(b));
        CertificateAuthority ca = new CertificateAuthority(dir, caCert, caPair.getPrivate(), clock);
        // The gateway certificate is built before anything is written, so a failure leaves nothing behind.
        IssueRequest gateway = new IssueRequest(
                GATEWAY,
                CertKind.SERVER,
                req.org(),
                null,
                req.dns(),
                req.ips(),
                Math.min(req.days(), IssueRequest.DEFAULT_DAYS),
                null,
                null,
                true);
        IssuedFiles gatewayFiles = ca.build(gateway);
        try (StagedFiles files = new StagedFiles()) {
            files.publicFile(dir.resolve(CA_CERT), Pem.encode(caCert).getBytes(StandardCharsets.US_ASCII));
            files.secret(
                    dir.resolve(CA_KEY),
                    Pem.encodePrivateKey(caPair.getPrivate(), req.passphrase()).getBytes(StandardCharsets.US_ASCII));
            files.publicFile(dir.resolve(CRL), ca.crls.encode(ca.crls.build(null, List.of())));
            gatewayFiles.stage(files);
            files.commit();
        }
        return ca;
    }

    /** Opens an existing CA folder; refuses an expired or not yet valid CA. */
    public static CertificateAuthority open(Path dir, char[] passphrase, Clock clock) {
        if (!Files.isDirectory(dir)) {
            throw new PkiException(dir + ": no such folder (run `sekisho certs init --dir " + dir + "` first)");
        }
        if (!Files.exists(dir.resolve(CA_CERT)) || !Files.exists(dir.resolve(CA_KEY))) {
            throw new PkiException(dir + ": no CA here (ca.pem and ca.key missing; run `sekisho certs init` first)");
        }
        X509Certificate cert = Pem.readCertificate(dir.resolve(CA_CERT));
        PrivateKey key = Pem.readPrivateKey(dir.resolve(CA_KEY), passphrase);
        Instant now = clock.instant();
        if (now.isAfter(cert.getNotAfter().toInstant())) {
            throw new PkiException("CA certificate " + dir.resolve(CA_CERT) + " expired on "
                    + cert.getNotAfter().toInstant() + "; a new CA is needed (certs init --force)");
        }
        if (now.isBefore(cert.getNotBefore().toInstant())) {
            throw new PkiException("CA certificate " + dir.resolve(CA_CERT) + " is not valid before "
                    + cert.getNotBefore().toInstant());
        }
        return new CertificateAuthority(dir, cert, key, clock);
    }

    public Path dir() {
        return dir;
    }

    public X509Certificate certificate() {
        return caCert;
    }

    /** Issues a certificate and writes NAME.pem, NAME.key and NAME.p12; refuses to overwrite a key unless forced. */
    public Credential issue(IssueRequest req) {
        Path keyFile = dir.resolve(req.name() + ".key");
        if (!req.force() && Files.exists(keyFile)) {
            throw new PkiException(
                    keyFile + " already exists; refusing to overwrite a key (use --force to replace it)");
        }
        IssuedFiles issued = build(req);
        try (StagedFiles files = new StagedFiles()) {
            issued.stage(files);
            files.commit();
        }
        return issued.credential();
    }

    /** Adds NAME's certificate to a freshly signed CRL; returns null when it was already revoked. */
    public X509CRL revoke(String name, RevocationReason reason) {
        Path certFile = dir.resolve(name + ".pem");
        if (name.equals("ca") || name.equals("crl") || !Files.exists(certFile)) {
            throw new PkiException("no certificate named '" + name + "' in " + dir + " (expected " + certFile + ")");
        }
        X509Certificate cert = Pem.readCertificate(certFile);
        if (!cert.getIssuerX500Principal().equals(caCert.getSubjectX500Principal())) {
            throw new PkiException(certFile + " was not issued by this CA");
        }
        return crls.revoke(cert.getSerialNumber(), reason);
    }

    /** Re-signs the CRL with the same entries, a new number and a new nextUpdate. */
    public X509CRL resignCrl() {
        return crls.resign();
    }

    public X509CRL currentCrl() {
        return crls.current();
    }

    /**
     * The period of the CRLs this instance signs from now on (nextUpdate − thisUpdate); null, the
     * default, keeps the period of the CRL being replaced.
     */
    public void setCrlValidity(Duration validity) {
        crls.setValidity(validity);
    }

    private IssuedFiles build(IssueRequest req) {
        KeyPair pair = req.keyAlgorithm().generate();
        return new IssuedFiles(req, certify(req, pair.getPublic()), pair.getPrivate(), caCert, dir);
    }

    /**
     * Issues a certificate for a key this CA never sees (the public key of a CSR that
     * {@link CertificationRequests#checkedKey} accepted) and writes DIR/NAME.pem only. Subject,
     * validity and extensions come from {@code req} exactly as {@link #issue} sets them; refuses to
     * replace an existing NAME.pem or NAME.key unless forced.
     */
    public X509Certificate issueFor(IssueRequest req, PublicKey subjectKey) {
        Path pem = dir.resolve(req.name() + ".pem");
        Path key = dir.resolve(req.name() + ".key");
        if (!req.force() && (Files.exists(pem) || Files.exists(key))) {
            throw new PkiException((Files.exists(pem) ? pem : key)
                    + " already exists; refusing to replace it (use --force to replace it)");
        }
        X509Certificate cert = certify(req, subjectKey);
        try (StagedFiles files = new StagedFiles()) {
            files.publicFile(pem, Pem.encode(cert).getBytes(StandardCharsets.US_ASCII));
            files.commit();
        }
        return cert;
    }

    /** The one place an end-entity certificate is made, for a generated key ({@link #issue}) or a CSR's. */
    private X509Certificate certify(IssueRequest req, PublicKey subjectKey) {
        String org = req.org() != null ? req.org() : organisationOf(caCert);
        Instant now = clock.instant();
        Instant notAfter = now.plus(Duration.ofDays(req.days()));
        if (notAfter.isAfter(caCert.getNotAfter().toInstant())) {
            notAfter = caCert.getNotAfter().toInstant(); // never outlive the CA
        }
        return sign(
                new JcaX509v3CertificateBuilder(
                        caCert,
                        serial(),
                        Date.from(now.minus(BACKDATE)),
                        Date.from(notAfter),
                        name(req.name(), org, req.unit()),
                        subjectKey),
                subjectKey,
                caCert.getPublicKey(),
                caKey,
                KeyAlgorithm.of(caCert.getPublicKey()),
                b -> UsageProfile.apply(b, req.kind(), req.keyAlgorithm(), req.dns(), req.ips()));
    }

    private interface ExtensionAdder {
        void add(X509v3CertificateBuilder b) throws IOException;
    }

    private static X509Certificate sign(
            X509v3CertificateBuilder b,
            PublicKey subjectKey,
            PublicKey issuerKey,
            PrivateKey signingKey,
            KeyAlgorithm signingAlg,
            ExtensionAdder extensions) {
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey));
            if (issuerKey != null) {
                b.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuerKey));
            }
            extensions.add(b);
            ContentSigner signer = new JcaContentSignerBuilder(signingAlg.signatureAlgorithm()).build(signingKey);
            return Pem.toCertificate(b.build(signer), "new certificate");
        } catch (IOException | OperatorCreationException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot sign certificate", e);
        }
    }

    private static X500Name name(String cn, String org, String unit) {
        X500NameBuilder n = new X500NameBuilder(BCStyle.INSTANCE);
        if (org != null && !org.isBlank()) {
            n.addRDN(BCStyle.O, org);
        }
        if (unit != null && !unit.isBlank()) {
            n.addRDN(BCStyle.OU, unit);
        }
        n.addRDN(BCStyle.CN, cn);
        return n.build();
    }

    private static String organisationOf(X509Certificate cert) {
        X500Name n = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
        var rdns = n.getRDNs(BCStyle.O);
        return rdns.length == 0 ? null : rdns[0].getFirst().getValue().toString();
    }

    /** Positive, random, 127 bits: unpredictable serials as CA/Browser guidance asks. */
    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).setBit(126);
    }
}
