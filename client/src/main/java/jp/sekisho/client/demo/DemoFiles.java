package jp.sekisho.client.demo;

/** The demo's configuration and routes files, in the documented formats (docs/gateway-config.md, docs/approvals-and-routes.md). */
final class DemoFiles {

    static final String CITY = "Kurume City";
    static final String CONTRACTOR = "Contractor K.K.";

    private DemoFiles() {}

    static String subject(String name, String org) {
        return "CN=" + name + ",O=" + org;
    }

    static String gatewayYml(int transferPort, int adminPort) {
        return """
                # Sekisho demo gateway (written by `sekisho demo`; see docs/gateway-config.md)
                node-id: demo-gw
                data-dir: data                  # embedded PostgreSQL (data/pg), spool (data/spool), audit signing key
                tls:
                  certificate: certs/gateway.pem
                  key: certs/gateway.key
                  trust-anchors: [certs/ca.pem]
                  crls: [certs/crl.pem]
                listeners:
                  # the routes bound to a listener add their senders' and receivers' addresses to its allowlist
                  transfer: { bind: 127.0.0.1, port: %d, allow: [127.0.0.1/32] }
                  admin:    { bind: 127.0.0.1, port: %d, allow: [127.0.0.1/32], admin: true }
                principals:
                  - { subject: "%s", roles: [sender] }
                  - { subject: "%s", roles: [receiver] }
                  - { subject: "%s", roles: [secretariat] }
                  - { subject: "%s", roles: [secretariat] }
                  - { subject: "%s", roles: [auditor] }
                  - { subject: "%s", roles: [operator] }
                approvals:
                  two-person-rule: true         # approve/reinstate need a second secretariat member
                audit:
                  checkpoint-every: 10          # the demo writes few events; the default signs every 1000 events or 10 s
                """.formatted(
                        transferPort,
                        adminPort,
                        subject("city-sender", CITY),
                        subject("contractor", CONTRACTOR),
                        subject("secretariat", CITY),
                        subject("secretariat2", CITY),
                        subject("auditor", CITY),
                        subject("operator", CITY));
    }

    static String routesYml() {
        return """
                # Sekisho demo routes (applied by the operator with `sekisho routes apply`)
                routes:
                  - id: %s
                    listener: transfer
                    approval: %s
                    senders:   [{ subject: "%s", allow: [127.0.0.1/32] }]
                    receivers: [{ subject: "%s", allow: [127.0.0.1/32] }]
                    recipients: [certs/contractor-enc.pem]
                    max-payload: 2GiB
                    retention: 7d
                """.formatted(
                DemoLayout.ROUTE, DemoLayout.REF, subject("city-sender", CITY), subject("contractor", CONTRACTOR));
    }
}
