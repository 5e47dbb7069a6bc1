package jp.sekisho.certs.cli;

import java.util.List;
import java.util.stream.Collectors;
import jp.sekisho.certs.CertificateSummary;

/** A certificate summary as one line of JSON (no JSON library needed for seven flat fields). */
final class SummaryJson {

    private SummaryJson() {}

    static String of(CertificateSummary s) {
        return "{"
                + String.join(
                        ",",
                        field("subject", s.subject()),
                        field("issuer", s.issuer()),
                        field("serial", s.serial()),
                        field("notBefore", s.notBefore().toString()),
                        field("notAfter", s.notAfter().toString()),
                        field("keyAlgorithm", s.keyAlgorithm()),
                        "\"ca\":" + s.ca(),
                        list("keyUsage", s.keyUsage()),
                        list("extendedKeyUsage", s.extendedKeyUsage()),
                        list("subjectAltNames", s.subjectAltNames()),
                        field("sha256", s.sha256()))
                + "}";
    }

    private static String field(String k, String v) {
        return quote(k) + ":" + quote(v);
    }

    private static String list(String k, List<String> v) {
        return quote(k) + ":[" + v.stream().map(SummaryJson::quote).collect(Collectors.joining(",")) + "]";
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
