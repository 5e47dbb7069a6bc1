package jp.sekisho.certs;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;

/** The extensions each kind of certificate carries: the one place that decides what a certificate may do. */
final class UsageProfile {

    private UsageProfile() {}

    static void apply(X509v3CertificateBuilder b, CertKind kind, KeyAlgorithm alg, List<String> dns, List<String> ips)
            throws CertIOException {
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        switch (kind) {
            case CLIENT -> {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                // emailProtection as well: senders sign CMS payloads with this certificate, and
                // `openssl cms -verify` checks the S/MIME signing purpose by default.
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                    KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_emailProtection
                }));
            }
            case SERVER -> {
                int ku = alg == KeyAlgorithm.RSA_3072
                        ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment
                        : KeyUsage.digitalSignature;
                b.addExtension(Extension.keyUsage, true, new KeyUsage(ku));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            }
            case RECIPIENT -> {
                int ku = alg == KeyAlgorithm.RSA_3072 ? KeyUsage.keyEncipherment : KeyUsage.keyAgreement;
                b.addExtension(Extension.keyUsage, true, new KeyUsage(ku));
            }
        }
        List<GeneralName> names = new ArrayList<>();
        for (String d : dns) {
            names.add(new GeneralName(GeneralName.dNSName, d));
        }
        for (String ip : ips) {
            names.add(new GeneralName(GeneralName.iPAddress, checkedIp(ip)));
        }
        if (!names.isEmpty()) {
            b.addExtension(
                    Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        }
    }

    static void applyCa(X509v3CertificateBuilder b) throws CertIOException {
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    }

    private static String checkedIp(String ip) {
        // Only literal addresses: InetAddress would otherwise try DNS for a host name.
        if (!ip.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            throw new PkiException("--ip '" + ip + "' is not an IPv4 or IPv6 address");
        }
        try {
            return InetAddress.getByName(ip).getHostAddress();
        } catch (UnknownHostException e) {
            throw new PkiException("--ip '" + ip + "' is not an IPv4 or IPv6 address");
        }
    }
}
