package jp.sekisho.client.demo;

/** The demo's configuration and routes files, in the documented formats (docs/gateway-config.md, docs/approvals-and-routes.md). */
final class DemoFiles {

    static final String CITY = "Kurume City";
    static final String CONTRACTOR = "Contractor K.K.";
    /** The gateway's client certificate towards relay upstreams (clientAuth; the server certificate has none). */
    static final String GATEWAY_CLIENT = "gateway-client";
    /** The payroll web server's name in the contractor's datacenter: its certificate and the Host sent to it. */
    static final String PAYROLL_HOST = "payroll.kurume.example";

    private DemoFiles() {}

    static String subject(String name, String org) {
        return "CN=" + name + ",O=" + org;
    }

    static String gatewayYml(int transferPort, int adminPort) {
        return gatewayYml(transferPort, adminPort, 0);
    }

    /** With {@code relayPort} > 0, the payroll relay listener and the gateway's client certificate for it. */
    static String gatewayYml(int transferPort, int adminPort, int relayPort) {
        String yml = apiGatewayYml(transferPort, adminPort);
        if (relayPort <= 0) {
            return yml;
        }
        return yml.replace("principals:\n", """
                          # a relay listener carries one relay route's web traffic (docs/relay.md); the route's
                          # terminals' addresses are its allowlist
                          payroll-web: { kind: relay, bind: 127.0.0.1, port: %d, allow: [] }
                        principals:
                        """.formatted(relayPort)) + """
                relay:
                  # the gateway's client certificate towards upstreams: clientAuth, which the server certificate lacks
                  client-certificate: certs/%1$s.pem
                  client-key: certs/%1$s.key
                """.formatted(GATEWAY_CLIENT);
    }

    private static String apiGatewayYml(int transferPort, int adminPort) {
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
        return batchRoutesYml();
    }

    /**
     * The routes file with the Kurume payroll relay route added (docs/relay.md): terminals on
     * 127.0.0.1 reach the payroll web server at {@code upstreamUrl} over TLS, under the payroll
     * consultation's approval.
     */
    static String routesYml(String upstreamUrl) {
        return batchRoutesYml()
                + """
                  - id: %s
                    kind: relay                     # a relay route: terminals' web traffic, request by request
                    listener: payroll-web
                    approval: %s
                    terminal-mode: tls              # browsers, controlled by address (別紙1: IPアドレスでの制御)
                    terminals:
                      - allow: [127.0.0.1/32]       # the payroll client terminals
                    upstream:
                      url: %s
                      ca: certs/upstream/ca.pem     # the contractor datacenter's CA, pinned
                      host: %s
                    methods: [GET, HEAD, POST]
                    paths: [%s]
                    max-body: 10MiB
                """.formatted(
                                DemoLayout.PAYROLL_ROUTE,
                                DemoLayout.PAYROLL_REF,
                                upstreamUrl,
                                PAYROLL_HOST,
                                PayrollSite.PAGE_PATH);
    }

    private static String batchRoutesYml() {
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
