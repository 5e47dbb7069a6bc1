package jp.sekisho.client.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import jp.sekisho.certs.CertKind;
import jp.sekisho.certs.CertificateAuthority;
import jp.sekisho.certs.InitRequest;
import jp.sekisho.certs.IssueRequest;
import jp.sekisho.cli.CliException;

/** What the demo needs before its gateway starts: a fresh demo folder and the hand-off's private PKI. */
final class DemoSetup {

    private final DemoLayout d;

    DemoSetup(DemoLayout d) {
        this.d = d;
    }

    /**
     * Makes the demo folder empty but for its marker, outbox/ and inbox/. A previous demo there is
     * deleted; any other non-empty folder is refused (usage error) and left alone.
     */
    void prepareFolder(PrintWriter out) throws IOException {
        if (Files.exists(d.dir())) {
            boolean empty;
            try (Stream<Path> s = Files.list(d.dir())) {
                empty = s.findAny().isEmpty();
            }
            if (!empty && !Files.exists(d.marker())) {
                throw CliException.usage(d.dir() + " は既にあり、Sekisho のデモのフォルダではありません。--dir で別のフォルダを選んでください"
                        + " / exists and is not a Sekisho demo folder; choose another with --dir");
            }
            if (!empty) {
                out.println("前回のデモを置き換えます / Replacing the previous demo in " + d.dir());
                deleteTree(d.dir());
            }
        }
        Files.createDirectories(d.dir());
        Files.writeString(
                d.marker(),
                "`sekisho demo` が作りました。次のデモはこのフォルダを置き換えます\n"
                        + "made by `sekisho demo`; the demo replaces this folder on its next run\n");
        Files.createDirectories(d.outbox());
        Files.createDirectories(d.inbox());
        out.println("Sekisho のデモ / Sekisho demo in " + d.dir());
    }

    /** The CA with the gateway's certificate, and every person's and system's certificate, in certs/. */
    void mintPki(DemoConsole console) {
        CertificateAuthority ca = CertificateAuthority.init(
                new InitRequest(
                        d.certs(), DemoFiles.CITY, 3650, List.of("localhost"), List.of("127.0.0.1"), null, false),
                Clock.systemUTC());
        for (String name : List.of("city-sender", "secretariat", "secretariat2", "auditor", "operator")) {
            issue(ca, name, CertKind.CLIENT, DemoFiles.CITY);
        }
        issue(ca, "contractor", CertKind.CLIENT, DemoFiles.CONTRACTOR);
        issue(ca, "contractor-enc", CertKind.RECIPIENT, DemoFiles.CONTRACTOR);
        issue(ca, DemoFiles.GATEWAY_CLIENT, CertKind.CLIENT, DemoFiles.CITY);
        console.say(d.certs() + ": ca, gateway, city-sender, contractor, contractor-enc, secretariat, secretariat2,"
                + " auditor, operator, " + DemoFiles.GATEWAY_CLIENT
                + "（中継先へ接続するときのゲートウェイ / the gateway towards relay upstreams）");
        mintUpstreamPki();
        console.say(d.upstreamCerts() + ": 受託事業者のデータセンター自身の CA と、給与 Web サーバーの証明書（payroll-web）\n"
                + "the contractor datacenter's own CA and its payroll web server's certificate (payroll-web)");
    }

    /**
     * The payroll web server's certificate comes from the contractor's CA, not the city's: the relay
     * route pins that CA ({@code upstream.ca}). {@code certs init} also makes a "gateway" server
     * certificate, which this CA does not need.
     */
    private void mintUpstreamPki() {
        CertificateAuthority upstream = CertificateAuthority.init(
                new InitRequest(d.upstreamCerts(), DemoFiles.CONTRACTOR, 3650, List.of(), List.of(), null, false),
                Clock.systemUTC());
        upstream.issue(new IssueRequest(
                "payroll-web",
                CertKind.SERVER,
                DemoFiles.CONTRACTOR,
                null,
                List.of(DemoFiles.PAYROLL_HOST, "localhost"),
                List.of("127.0.0.1"),
                397,
                null,
                null,
                false));
        try {
            for (String ext : List.of("pem", "key", "p12")) {
                Files.deleteIfExists(d.upstreamCerts().resolve(CertificateAuthority.GATEWAY + "." + ext));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void issue(CertificateAuthority ca, String name, CertKind kind, String org) {
        ca.issue(new IssueRequest(name, kind, org, null, List.of(), List.of(), 397, null, null, false));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
