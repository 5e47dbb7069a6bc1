package jp.sekisho.client.http;

import java.net.InetAddress;
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
import jp.sekisho.cli.PasswordSource;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The options of every command that talks to a running gateway (a picocli mixin). */
public final class GatewayOptions {

    /** Where admin commands go by default: a local gateway's admin listener. */
    public static final URI ADMIN_LISTENER = URI.create("https://127.0.0.1:9443");
    /** Where send and receive go by default: a local gateway's transfer listener. */
    public static final URI TRANSFER_LISTENER = URI.create("https://127.0.0.1:8443");

    @Option(
            names = "--gateway",
            paramLabel = "URL",
            description = "接続するゲートウェイのリスナー / The gateway's listener. Default: https://127.0.0.1:9443 (a"
                    + " local gateway's admin listener) for admin commands, https://127.0.0.1:8443 (its transfer"
                    + " listener) for send and receive.")
    URI gateway;

    @Option(
            names = "--identity",
            required = true,
            paramLabel = "FILE",
            description = "あなたの証明書と鍵（PKCS#12、または隣に NAME.key を置いた PEM 証明書）"
                    + " / Your certificate and key: a PKCS#12 file, or a PEM certificate with NAME.key beside it.")
    Path identity;

    /** The environment variable read for the identity's password when no option gives it. */
    public static final String PASSWORD_ENV = "SEKISHO_IDENTITY_PASSWORD";

    @Option(
            names = {"--password-file", "--identity-password-file"},
            paramLabel = "FILE",
            description = "そのパスワードを 1 行目に書いたファイル / File whose first line is the password of the PKCS#12 file or key.")
    Path passwordFile;

    @Option(
            names = {"--password-env", "--identity-password-env"},
            paramLabel = "NAME",
            description = "そのパスワードを入れた環境変数 / Environment variable holding that password. Without any"
                    + " password option: " + PASSWORD_ENV + " if set, else an empty password.")
    String passwordEnv;

    @Option(
            names = "--identity-password",
            paramLabel = "PASSWORD",
            description = "コマンド行で渡すパスワード（ps で全利用者に見えます）"
                    + " / That password on the command line: visible to every user in ps; prefer --password-file or"
                    + " --password-env.")
    String identityPassword;

    @Option(
            names = "--bind",
            paramLabel = "ADDRESS",
            description = "この手元のアドレスから接続します（アドレスが複数ある機械で、経路が許すもの）"
                    + " / Connect from this local address (a host with several addresses: the one the route allows).")
    String bind;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(
            names = "--gateway-ca",
            paramLabel = "FILE",
            description = "ゲートウェイのサーバー証明書を確かめる CA 証明書 / CA certificate(s) the gateway's server"
                    + " certificate must chain to. Default: the CA certificates inside the identity file.")
    Path gatewayCa;

    /** The identity as read by the first {@link #identity()} of this command run. */
    private Identity loaded;

    /** The password that identity was read with (a FIFO or a one-shot file cannot be read twice). */
    private char[] loadedPassword;

    /**
     * The --identity file's key and chain, read once per command run (one instance of these options):
     * send needs it for TLS and again to sign, and each read of a password-protected PKCS#12 file runs
     * three PBKDF2 derivations of 10,000 iterations, and the password warning would print twice.
     */
    public Identity identity() {
        if (loaded == null) {
            try {
                loadedPassword = password();
                loaded = Identities.load(identity, loadedPassword);
            } catch (PkiException e) {
                throw CliException.usage("--identity: " + e.getMessage());
            }
        }
        return loaded;
    }

    /** The password {@link #identity()} read the identity with, or null before it did. */
    public char[] identityPassword() {
        return loadedPassword;
    }

    /** Where the identity's password comes from: its options, as a hand-over also needs them. */
    public static final PasswordSource PASSWORD =
            new PasswordSource("--password-file", "--password-env", "--identity-password", PASSWORD_ENV);

    /** The identity's password from exactly one of its sources (see the options), warning about argv. */
    char[] password() {
        return PASSWORD.read(
                passwordFile,
                passwordEnv,
                identityPassword,
                mixee == null ? "sekisho" : mixee.qualifiedName(),
                mixee == null ? null : mixee.commandLine().getErr(),
                System::getenv);
    }

    /** The --bind address: must be one of this host's own, or nothing could ever be sent from it. */
    InetAddress bindAddress() {
        if (bind == null) {
            return null;
        }
        try {
            InetAddress a = InetAddress.getByName(bind);
            if (!a.isLoopbackAddress() && java.net.NetworkInterface.getByInetAddress(a) == null) {
                throw CliException.usage("--bind " + bind + ": このホストのアドレスではありません。 not an address of this"
                        + " host (ip -brief address lists them)");
            }
            return a;
        } catch (java.net.UnknownHostException | java.net.SocketException e) {
            throw CliException.usage("--bind " + bind + ": アドレスとして読めません。 not an address: " + e.getMessage());
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
        return new GatewayClient(base, id, anchors, Duration.ofSeconds(10), bindAddress());
    }
}
