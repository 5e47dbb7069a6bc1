package jp.sekisho.client.demo;

import java.nio.file.Path;

/**
 * Where the demo puts things, so that people and scripts can find them:
 * {@code D/certs/} the PKI, {@code D/gateway.yml}, {@code D/routes.yml}, {@code D/data/} the
 * embedded store and spool, {@code D/outbox/} what the city sends, {@code D/inbox/} what the
 * contractor received, {@code D/certs/upstream/} and {@code D/data/upstream/} the payroll web server
 * behind the relay route.
 */
record DemoLayout(Path dir) {

    static final String MARKER = ".sekisho-demo";
    static final String ROUTE = "kurume-benefit";
    static final String REF = "2総政第158号";
    /** The Kurume payroll case (docs/relay.md): the relay route and the consultation it depends on. */
    static final String PAYROLL_ROUTE = "kurume-payroll-web";

    static final String PAYROLL_REF = "1人第1042号";

    Path certs() {
        return dir.resolve("certs");
    }

    Path cert(String name, String ext) {
        return certs().resolve(name + "." + ext);
    }

    Path config() {
        return dir.resolve("gateway.yml");
    }

    Path routes() {
        return dir.resolve("routes.yml");
    }

    Path data() {
        return dir.resolve("data");
    }

    Path spool() {
        return data().resolve("spool");
    }

    Path outbox() {
        return dir.resolve("outbox");
    }

    Path inbox() {
        return dir.resolve("inbox");
    }

    /** The contractor datacenter's own CA and the payroll web server's certificate (not the city's PKI). */
    Path upstreamCerts() {
        return certs().resolve("upstream");
    }

    /** The payroll web server's generated nginx configuration, logs and temporary files. */
    Path upstream() {
        return data().resolve("upstream");
    }

    Path marker() {
        return dir.resolve(MARKER);
    }
}
