package jp.sekisho.client.http;

import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import jp.sekisho.certs.ClientTls;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.Identity;
import jp.sekisho.certs.Pem;
import jp.sekisho.certs.PkiException;
import jp.sekisho.cli.CliException;
import picocli.CommandLine.Option;

/** The options of every command that talks to a running gateway (a picocli mixin). */
public final class GatewayOptions {

    /** Where admin commands go by default: a local gateway's admin listener. */
    public static final URI ADMIN_LISTENER = URI.create("https://127.0.0.1:9443");
    /** Where send and receive go by default: a local gateway's transfer listener. */
    public static final URI TRANSFER_LISTENER = URI.create("https://127.0.0.1:8443");

    @Option(
            names = "--gateway",
            paramLabel = "URL",
            description = "The gateway's listener. Default: https://127.0.0.1:9443 (a local gateway's admin listener) "
                    + "for admin commands, https://127.0.0.1:8443 (its transfer listener) for send and receive.")
    URI gateway;

    @Option(
            names = "--identity",
            required = true,
            paramLabel = "FILE",
            description = "Your certificate and key: a PKCS#12 file, or a PEM certificate with NAME.key beside it.")
    Path identity;

    @Option(
            names = "--identity-password",
            paramLabel = "PASSWORD",
            defaultValue = "",
            description = "Password of the PKCS#12 file or key. Default: empty.")
    String identityPassword;

    @Option(
            names = "--gateway-ca",
            paramLabel = "FILE",
            description = "CA certificate(s) the gateway's server certificate must chain to. Default: the CA "
                    + "certificates inside the identity file.")
    Path gatewayCa;

    public Identity identity() {
        try {
            return Identities.load(identity, identityPassword.toCharArray());
        } catch (PkiException e) {
            throw CliException.usage("--identity: " + e.getMessage());
        }
    }

    /** The client for an admin command (approvals, routes). */
    public GatewayClient client() {
        return client(ADMIN_LISTENER);
    }

    /** The client, going to {@code fallback} unless --gateway names a listener. */
    public GatewayClient client(URI fallback) {
        URI gateway = this.gateway != null ? this.gateway : fallback;
        Identity id = identity();
        List<X509Certificate> anchors;
        if (gatewayCa != null) {
            try {
                anchors = Pem.readCertificates(gatewayCa);
            } catch (PkiException e) {
                throw CliException.usage("--gateway-ca: " + e.getMessage());
            }
        } else {
            anchors = ClientTls.caCertificates(id.chain());
            if (anchors.isEmpty()) {
                throw CliException.usage(
                        "--identity " + identity + " holds no CA certificate; name the gateway's CA with --gateway-ca");
            }
        }
        String scheme = gateway.getScheme();
        if (!"https".equals(scheme)) {
            throw CliException.usage("--gateway must be an https:// URL, got " + gateway);
        }
        URI base = URI.create(gateway.toString().endsWith("/") ? gateway.toString() : gateway + "/");
        return new GatewayClient(base, id, anchors, Duration.ofSeconds(10));
    }
}
