package jp.sekisho.gateway.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import jp.sekisho.audit.EventType;

/**
 * Log injection through what a client controls before any CA vouches for it: the subject of a
 * self-signed certificate. Each is refused (TLS_FAILED, UNKNOWN_CA) and recorded exactly as presented:
 * the store and its JSON exports keep the text, the printers escape it (issue 12). Ids carrying the
 * same characters are in {@link PathAndIdAttacksTest}, approval fields in {@link AdminJsonAttacksTest}.
 */
class LogInjectionAttacksTest extends AttackCategory {

    @Override
    Stream<HostileCase> cases() throws Exception {
        List<HostileCase> l = new ArrayList<>();
        String[][] payloads = {
            {"CR LF and a forged event line", "m\r\n2026-12-03T00:00Z CONNECTION_ACCEPTED ALLOW CN=secretariat"},
            {"LF only", "mallory\nFORGED"},
            {"ESC sequences (clear screen, colour)", "mallory\u001b[2J\u001b[1;31mALERT"},
            {"ESC OSC window title", "mallory\u001b]0;owned\u0007"},
            {"BEL", "mallory\u0007\u0007\u0007"},
            {"backspaces over the name", "mallory\b\b\b\b\b\b\bsecretariat"},
            {"RLO", "mallory\u202Egnp.exe"},
            {"C1 CSI", "mallory\u009b2J"},
            {"TAB and vertical tab", "mallory\t\u000bx"},
            {"a JSON-breaking quote and brace", "mallory\",\"outcome\":\"ALLOW\"}"},
            {"a CSV-breaking comma and formula", "=cmd|' /C calc'!A0,ALLOW"}
        };
        for (String[] p : payloads) {
            String cn = p[1];
            String presented = new javax.security.auth.x500.X500Principal(
                            Certificates.subject(cn).getEncoded())
                    .getName();
            l.add(c(
                    "self-signed certificate with " + p[0] + " in its CN",
                    w -> RawHttps.send(
                            Certificates.tls(Certificates.selfSigned(Certificates.subject(cn)), w.w.pki.caFile()),
                            "127.0.0.1",
                            w.port("transfer"),
                            Req.of("GET", "/api/v1/whoami", null)),
                    new Expected.ConnectionRefused(EventType.TLS_FAILED, "UNKNOWN_CA", e -> {
                        assertNotNull(e.event().principal(), "the presented subject is recorded: " + e);
                        String subject = e.event().principal().subject();
                        assertEquals(presented, subject, "recorded exactly as presented");
                    })));
        }
        return l.stream();
    }
}
