package jp.sekisho.certs;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One certificate to issue. {@code org} null means the CA's organisation; {@code keyAlgorithm}
 * null picks the kind's default (EC P-256, or RSA-3072 for recipients).
 */
public record IssueRequest(
        String name,
        CertKind kind,
        String org,
        String unit,
        List<String> dns,
        List<String> ips,
        int days,
        KeyAlgorithm keyAlgorithm,
        char[] p12Password,
        boolean force) {

    public static final int DEFAULT_DAYS = 397;
    /** Names become file names beside the CA's own files, so keep them plain. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public IssueRequest {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new PkiException("--name must be 1-64 letters, digits, '.', '_' or '-', got '" + name + "'");
        }
        if (name.equals("ca") || name.equals("crl")) {
            throw new PkiException("--name '" + name + "' is reserved for the CA's own files");
        }
        if (kind == null) {
            throw new PkiException("--kind is required (client, server or recipient)");
        }
        if (days < 1) {
            throw new PkiException("--days must be at least 1, got " + days);
        }
        dns = dns == null ? List.of() : List.copyOf(dns);
        ips = ips == null ? List.of() : List.copyOf(ips);
        if (keyAlgorithm == null) {
            keyAlgorithm = kind == CertKind.RECIPIENT ? KeyAlgorithm.RSA_3072 : KeyAlgorithm.EC_P256;
        }
        if (p12Password == null) {
            p12Password = new char[0];
        }
    }

    public static IssueRequest of(String name, CertKind kind) {
        return new IssueRequest(name, kind, null, null, List.of(), List.of(), DEFAULT_DAYS, null, null, false);
    }

    public IssueRequest withDays(int newDays) {
        return new IssueRequest(name, kind, org, unit, dns, ips, newDays, keyAlgorithm, p12Password, force);
    }

    public IssueRequest withSans(List<String> newDns, List<String> newIps) {
        return new IssueRequest(name, kind, org, unit, newDns, newIps, days, keyAlgorithm, p12Password, force);
    }
}
