package jp.sekisho.gateway.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.certs.CertKind;
import jp.sekisho.certs.CertificateAuthority;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.IssueRequest;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.certs.testing.TestPki;

/**
 * The TLS edge: certificates that must not pass (no certificate, unknown CA, self-signed, expired,
 * not yet valid, revoked, wrong key usage), hostile subjects (control characters, 1,400 characters),
 * old protocols and weak suites offered by openssl, and bytes that are not TLS at all. Each refusal
 * is a TLS_FAILED event naming the connection's source port.
 */
class TlsAttacksTest extends AttackCategory {

    private static final String WHOAMI = "/api/v1/whoami";
    private final Map<String, Credential> issued = new java.util.HashMap<>();

    @Override
    void prepare(AttackWorld w) throws Exception {
        super.prepare(w);
        Procs.require("openssl");
        TestPki pki = w.w.pki;
        TestPki foreign = TestPki.create(Files.createDirectories(dir.resolve("foreign")));
        issued.put("foreign", foreign.client("mallory"));
        issued.put("expired", pki.expiredClient("old"));
        CertificateAuthority future = CertificateAuthority.open(
                pki.dir(), null, Clock.fixed(Instant.now().plus(Duration.ofDays(2)), ZoneOffset.UTC));
        issued.put("future", future.issue(IssueRequest.of("future", CertKind.CLIENT)));
        issued.put("revoked", pki.client("revoked"));
        pki.revoke("revoked");
        issued.put("server", pki.server("not-a-client", List.of("not-a-client.example"), List.of()));
        issued.put("recipient", pki.recipient("enc-only"));
        issued.put("long", pki.client("long-subject", "O".repeat(700), "U".repeat(700)));
        issued.put("valid", pki.client("valid"));
    }

    private HostileCase.Attack presenting(Certificates.Client client) {
        return w -> RawHttps.send(
                Certificates.tls(client, w.w.pki.caFile()),
                "127.0.0.1",
                w.port("transfer"),
                Req.of("GET", WHOAMI, null));
    }

    private HostileCase.Attack presenting(String credential) {
        return w -> presenting(Certificates.of(issued.get(credential))).send(w);
    }

    private HostileCase.Attack selfSigned(String cn) {
        return w ->
                presenting(Certificates.selfSigned(Certificates.subject(cn))).send(w);
    }

    /** openssl s_client from a port of our choosing (the event names it), offering only {@code options}. */
    private HostileCase.Attack openssl(String... options) {
        return w -> {
            int local;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                local = s.getLocalPort();
            }
            Credential valid = issued.get("valid");
            List<String> cmd = new ArrayList<>(List.of(
                    "openssl",
                    "s_client",
                    "-connect",
                    "127.0.0.1:" + w.port("transfer"),
                    "-bind",
                    "127.0.0.1:" + local,
                    "-cert",
                    valid.certificateFile().toString(),
                    "-key",
                    valid.keyFile().toString()));
            cmd.addAll(List.of(options));
            Procs.Result r = Procs.runWithInput(30, "", cmd.toArray(String[]::new));
            boolean failed = !r.out().contains("Cipher is ") || r.out().contains("Cipher is (NONE)");
            return new Answer(0, Map.of(), r.out(), true, "", failed, local);
        };
    }

    @Override
    Stream<HostileCase> cases() {
        List<HostileCase> l = new ArrayList<>();
        l.add(c("no client certificate", presenting((Certificates.Client) null), Expected.tlsFailed("NO_CERTIFICATE")));
        l.add(c("certificate from another CA", presenting("foreign"), Expected.tlsFailed("UNKNOWN_CA")));
        l.add(c("self-signed certificate", selfSigned("city-sender"), Expected.tlsFailed("UNKNOWN_CA")));
        l.add(c("expired certificate", presenting("expired"), Expected.tlsFailed("EXPIRED")));
        l.add(c("certificate not yet valid", presenting("future"), Expected.tlsFailed("EXPIRED")));
        l.add(c("revoked certificate", presenting("revoked"), Expected.tlsFailed("REVOKED")));
        l.add(c("server-only certificate (no clientAuth)", presenting("server"), Expected.tlsFailed("WRONG_USAGE")));
        // an RSA key for key transport only cannot sign the handshake: refused before its usage is judged
        l.add(c("encryption-only certificate", presenting("recipient"), Expected.tlsFailed("HANDSHAKE_FAILED")));
        // hostile subjects: a self-signed one is recorded with the subject as presented
        for (String[] cn : new String[][] {
            {"CR LF", "x\r\nFORGED 2026-01-01 CONNECTION_ACCEPTED"},
            {"ESC", "x\u001b[2J\u001b[31mred"},
            {"BEL", "x\u0007\u0007"},
            {"RLO", "x\u202Etxt.exe"},
            {"NUL", "x\u0000y"}
        }) {
            l.add(c(
                    "self-signed certificate with " + cn[0] + " in its CN",
                    selfSigned(cn[1]),
                    Expected.tlsFailed("UNKNOWN_CA")));
        }
        l.add(c(
                "self-signed certificate with a 1,400-character subject",
                w -> presenting(Certificates.selfSigned(Certificates.longSubject()))
                        .send(w),
                Expected.tlsFailed("UNKNOWN_CA")));
        l.add(c(
                "CA certificate with a 1,400-character subject is served and recorded truncated",
                presenting("long"),
                new Expected.Served(200, (a, events) -> {
                    String full = issued.get("long")
                            .certificate()
                            .getSubjectX500Principal()
                            .getName();
                    List<RecordedEvent> accepted = events.stream()
                            .filter(e -> e.event().type() == EventType.CONNECTION_ACCEPTED)
                            .toList();
                    assertEquals(1, accepted.size(), "the served connection is recorded: " + events);
                    String recorded = accepted.get(0).event().principal().subject();
                    assertNotEquals(full, recorded, "the subject is truncated");
                    assertTrue(recorded.length() < full.length(), recorded);
                    assertTrue(recorded.startsWith(full.substring(0, 100)), recorded);
                })));
        // protocols and suites
        String old = "DEFAULT@SECLEVEL=0";
        l.add(c("TLS 1.0", openssl("-tls1", "-cipher", old), Expected.tlsFailed("HANDSHAKE_FAILED")));
        l.add(c("TLS 1.1", openssl("-tls1_1", "-cipher", old), Expected.tlsFailed("HANDSHAKE_FAILED")));
        for (String suite : List.of(
                "ECDHE-ECDSA-AES128-SHA",
                "ECDHE-ECDSA-AES256-SHA",
                "ECDHE-ECDSA-AES128-SHA256",
                "ECDHE-ECDSA-AES256-SHA384",
                "AES128-SHA",
                "AES256-SHA256",
                "ECDHE-RSA-AES128-SHA")) {
            l.add(c(
                    "TLS 1.2 offering only " + suite,
                    openssl("-tls1_2", "-cipher", suite + "@SECLEVEL=0"),
                    Expected.tlsFailed("HANDSHAKE_FAILED")));
        }
        l.add(c(
                "TLS 1.2 offering only NULL ciphers",
                openssl("-tls1_2", "-cipher", "eNULL@SECLEVEL=0"),
                Expected.tlsFailed("HANDSHAKE_FAILED")));
        // not TLS
        l.add(c(
                "plain HTTP on the TLS port",
                w -> RawHttps.plain("127.0.0.1", w.port("transfer"), Req.raw("GET / HTTP/1.1\r\nHost: x\r\n\r\n")),
                Expected.tlsFailed("HANDSHAKE_FAILED")));
        l.add(c(
                "SSLv2-style hello",
                w -> RawHttps.plain("127.0.0.1", w.port("transfer"), new byte[] {
                    (byte) 0x80, 0x2e, 0x01, 0x00, 0x02, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10
                }),
                Expected.tlsFailed("HANDSHAKE_FAILED")));
        l.add(c(
                "a TLS record claiming 65,535 bytes",
                w -> RawHttps.plain("127.0.0.1", w.port("transfer"), new byte[] {
                    0x16, 0x03, 0x01, (byte) 0xff, (byte) 0xff, 1, 2, 3, 4, 5
                }),
                Expected.tlsFailed("HANDSHAKE_FAILED")));
        l.add(c(
                "bytes that are no TLS record",
                w -> RawHttps.plain(
                        "127.0.0.1", w.port("transfer"), new byte[] {0x42, 0x00, 0x13, 0x37, 0, 0, 0, 0, 0, 0, 0, 0}),
                Expected.tlsFailed("HANDSHAKE_FAILED")));
        return l.stream();
    }
}
