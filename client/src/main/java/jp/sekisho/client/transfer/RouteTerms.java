package jp.sekisho.client.transfer;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;

/** What {@code GET /api/v1/routes/{id}/terms} says a sender must respect now. */
public record RouteTerms(
        String route,
        String approvalRef,
        List<String> dataItems,
        long maxRecords,
        long maxPayloadBytes,
        boolean allowCbc,
        List<X509Certificate> recipients,
        boolean compression) {

    /** Terms of a route that does not take compressed envelopes. */
    public RouteTerms(
            String route,
            String approvalRef,
            List<String> dataItems,
            long maxRecords,
            long maxPayloadBytes,
            boolean allowCbc,
            List<X509Certificate> recipients) {
        this(route, approvalRef, dataItems, maxRecords, maxPayloadBytes, allowCbc, recipients, false);
    }

    public static RouteTerms of(Map<String, Object> json) {
        try {
            List<X509Certificate> certs = new ArrayList<>();
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Object pem : (List<?>) json.get("recipients")) {
                for (var c : cf.generateCertificates(
                        new ByteArrayInputStream(String.valueOf(pem).getBytes(StandardCharsets.US_ASCII)))) {
                    certs.add((X509Certificate) c);
                }
            }
            List<String> items = ((List<?>) json.get("dataItems"))
                    .stream().map(String::valueOf).toList();
            return new RouteTerms(
                    String.valueOf(json.get("route")),
                    String.valueOf(json.get("approvalRef")),
                    items,
                    ((Number) json.get("maxRecords")).longValue(),
                    ((Number) json.get("maxPayloadBytes")).longValue(),
                    Boolean.TRUE.equals(json.get("allowCbc")),
                    List.copyOf(certs),
                    // absent: a gateway older than compression, whose receivers may not inflate either
                    Boolean.TRUE.equals(json.get("compression")));
        } catch (CertificateException | RuntimeException e) {
            throw new CliException(
                    ExitCode.UNAVAILABLE,
                    "ゲートウェイの経路条件を読めません。 the gateway's route terms are unreadable: " + e.getMessage()
                            + ". 次に: クライアントとゲートウェイの版を確認してください。 next: check that this client"
                            + " and the gateway are of matching versions.");
        }
    }
}
