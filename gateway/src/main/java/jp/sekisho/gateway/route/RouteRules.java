package jp.sekisho.gateway.route;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import jp.sekisho.gateway.input.Fields;
import jp.sekisho.gateway.input.Ids;

/**
 * What a route must be, whichever way it arrives (the routes file, the CLI, the admin API and its dry
 * run): an id of the route grammar, a known approval reference, at least one sender and one receiver
 * each named by subject or fingerprint, recipient certificates that parse and may encrypt, and a
 * positive size limit and retention. Each problem names the field. Listener and CIDRs are judged by
 * {@link RouteService}, which knows the listeners and the CIDR syntax.
 */
public final class RouteRules {

    private static final Pattern SHA256 = Pattern.compile("[0-9A-Fa-f]{64}");
    /** Recipients a route may name; an envelope for more would be refused by the envelope profile anyway. */
    static final int MAX_RECIPIENTS = 16;

    private RouteRules() {}

    /** The problems of {@code r}, each as {@code route ID: field: problem}; empty when it is valid. */
    public static List<String> problems(Route r) {
        List<String> p = new ArrayList<>();
        String at = "route " + (Ids.ROUTE.valid(r.id()) ? r.id() : "(invalid id)") + ": ";
        Ids.ROUTE.problem(r.id()).ifPresent(m -> p.add(at + "id: " + m));
        if (r.listener() == null || r.listener().isBlank()) {
            p.add(at + "listener: is required");
        } else {
            Fields.problem("listener", r.listener(), 64).ifPresent(m -> p.add(at + m));
        }
        Ids.APPROVAL_REF.problem(r.approvalRef()).ifPresent(m -> p.add(at + "approvalRef: " + m));
        parties(p, at + "senders", r.senders());
        parties(p, at + "receivers", r.receivers());
        recipients(p, at + "recipients", r.recipientCertificates());
        if (r.maxPayloadBytes() <= 0) {
            p.add(at + "maxPayloadBytes: must be more than 0");
        }
        if (r.retention() == null || r.retention().isNegative() || r.retention().isZero()) {
            p.add(at + "retention: must be more than 0 seconds");
        }
        return p;
    }

    private static void parties(List<String> p, String at, List<Party> parties) {
        if (parties.isEmpty()) {
            p.add(at + ": needs at least one party");
        }
        for (int i = 0; i < parties.size(); i++) {
            Party x = parties.get(i);
            String pat = at + "[" + i + "]";
            Fields.problem(pat + ".subject", x.subject(), Fields.NAME).ifPresent(p::add);
            if (x.sha256() != null
                    && !x.sha256().isBlank()
                    && !SHA256.matcher(x.sha256()).matches()) {
                p.add(pat + ".sha256: must be 64 hex digits");
            }
            if (x.allow().isEmpty()) {
                p.add(pat + ".allow: needs at least one source CIDR");
            }
        }
    }

    private static void recipients(List<String> p, String at, List<String> pems) {
        if (pems.isEmpty()) {
            p.add(at + ": needs at least one recipient certificate");
        }
        if (pems.size() > MAX_RECIPIENTS) {
            p.add(at + ": more than " + MAX_RECIPIENTS + " certificates");
            return;
        }
        for (int i = 0; i < pems.size(); i++) {
            String problem = recipientProblem(pems.get(i));
            if (problem != null) {
                p.add(at + "[" + i + "]: " + problem);
            }
        }
    }

    /** Why a PEM text is not one encryption certificate, or null. */
    static String recipientProblem(String pem) {
        if (pem == null || !pem.contains("-----BEGIN CERTIFICATE-----") || pem.length() > 64 * 1024) {
            return "is not a PEM X.509 certificate";
        }
        try {
            var certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            if (certs.size() != 1 || !(certs.iterator().next() instanceof X509Certificate c)) {
                return "is not exactly one X.509 certificate";
            }
            boolean[] ku = c.getKeyUsage();
            if (ku != null && !ku[2] && !ku[4]) {
                return "is not an encryption certificate (needs keyEncipherment or keyAgreement)";
            }
            return null;
        } catch (CertificateException | RuntimeException e) {
            return "is not a parseable X.509 certificate";
        }
    }
}
