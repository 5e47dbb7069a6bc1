package jp.sekisho.audit.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.json.Json;
import jp.sekisho.certs.ClientTls;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.Identity;
import jp.sekisho.certs.Pem;
import jp.sekisho.certs.PkiException;
import jp.sekisho.cli.PasswordSource;
import picocli.CommandLine.Option;

/**
 * The audit log through a running gateway ({@code /api/v1/audit} on its admin listener), with the
 * auditor's own certificate: for security staff who have no access to the database.
 */
final class GatewayAccess {

    /** The gateway refused (a problem answer); exit 1 with the reason code. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    @Option(
            names = "--gateway",
            paramLabel = "URL",
            description = "稼働中のゲートウェイの管理用リスナー / a running gateway's admin listener, e.g. https://127.0.0.1:9443")
    URI gateway;

    @Option(
            names = "--identity",
            paramLabel = "FILE",
            description = "監査担当の証明書と鍵（PKCS#12、または隣に NAME.key を置いた PEM）"
                    + " / the auditor's certificate: PKCS#12, or PEM with NAME.key beside it")
    Path identity;

    static final PasswordSource PASSWORD =
            new PasswordSource("--password-file", "--password-env", "--identity-password", "SEKISHO_IDENTITY_PASSWORD");

    @Option(
            names = "--password-file",
            paramLabel = "FILE",
            description = "そのパスワードを 1 行目に書いたファイル / file whose first line is the password of the identity")
    Path passwordFile;

    @Option(
            names = "--password-env",
            paramLabel = "NAME",
            description = "そのパスワードを入れた環境変数 / environment variable holding that password (default:"
                    + " SEKISHO_IDENTITY_PASSWORD if set, else empty)")
    String passwordEnv;

    @Option(
            names = "--identity-password",
            paramLabel = "PASSWORD",
            description = "コマンド行で渡すパスワード（ps で見えます。--password-file か --password-env を推奨）"
                    + " / that password on the command line: visible in ps; prefer --password-file or --password-env")
    String identityPassword;

    @Option(
            names = "--gateway-ca",
            paramLabel = "FILE",
            description = "ゲートウェイのサーバー証明書の CA（既定: 証明書ファイル内の CA 証明書）"
                    + " / CA of the gateway's server certificate (default: the CA certificates inside the identity)")
    Path gatewayCa;

    /** The options naming where the identity's password comes from (a file or a variable), for a command to repeat. */
    List<String> passwordSourceWords() {
        if (passwordFile != null) {
            return List.of("--password-file", passwordFile.toString());
        }
        return passwordEnv != null ? List.of("--password-env", passwordEnv) : List.of();
    }

    boolean given() {
        return gateway != null;
    }

    /** GETs a path under /api/v1/audit/ and returns the body as a stream (the caller closes it). */
    InputStream get(String pathAndQuery) throws StoreCommand.InputException {
        return response(pathAndQuery).body();
    }

    /** A search's answer: the body and whether the gateway said more events match (Sekisho-More). */
    record Answer(String body, Boolean more) {}

    /** GETs a search under /api/v1/audit/; {@code more} is null from a gateway that does not say. */
    Answer search(String pathAndQuery) throws StoreCommand.InputException, IOException {
        HttpResponse<InputStream> res = response(pathAndQuery);
        try (InputStream in = res.body()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Boolean more = res.headers()
                    .firstValue("Sekisho-More")
                    .map(v -> v.trim().equalsIgnoreCase("true"))
                    .orElse(null);
            return new Answer(body, more);
        }
    }

    private HttpResponse<InputStream> response(String pathAndQuery) throws StoreCommand.InputException {
        HttpClient http = client();
        URI uri = URI.create(base() + "api/v1/audit/" + pathAndQuery);
        HttpResponse<InputStream> res;
        try {
            res = http.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofMinutes(30))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new AuditUnavailableException("ゲートウェイに接続できません。 gateway " + gateway + " unreachable: "
                    + e.getMessage() + ". 次に: ゲートウェイが動いているか、この送信元アドレスが管理リスナーで許可されて"
                    + "いるかを確認してください。 next: check that it is running and that this address is allowed on its"
                    + " admin listener.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("中断されました。 interrupted. 次に: もう一度実行してください。 next: run it" + " again.");
        }
        if (res.statusCode() >= 400) {
            String body;
            try (InputStream in = res.body()) {
                body = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
            } catch (IOException e) {
                body = "";
            }
            String reason = "HTTP_" + res.statusCode();
            try {
                Map<String, Object> p = Json.parseObject(body);
                reason = String.valueOf(p.getOrDefault("reason", reason))
                        + (p.get("detail") == null ? "" : ": " + p.get("detail"));
            } catch (RuntimeException ignored) {
                // not a problem document: the status says enough
            }
            if (res.statusCode() >= 500) {
                throw new AuditUnavailableException(reason);
            }
            throw new Refused(reason);
        }
        return res;
    }

    /**
     * GETs an export into {@code target}. A connection that fails after the response started is not
     * an error here: the file then lacks its end record, which {@link ExportEnd} reports as a cut.
     */
    void download(String pathAndQuery, Path target) throws StoreCommand.InputException, IOException {
        try (InputStream in = get(pathAndQuery);
                java.io.OutputStream out = java.nio.file.Files.newOutputStream(target)) {
            byte[] buf = new byte[1 << 16];
            for (int n; ; ) {
                try {
                    n = in.read(buf);
                } catch (IOException cut) {
                    return; // reset, closed mid-chunk, TLS cut: what arrived is kept and judged by its end
                }
                if (n < 0) {
                    return;
                }
                out.write(buf, 0, n);
            }
        }
    }

    String getString(String pathAndQuery) throws StoreCommand.InputException, IOException {
        try (InputStream in = get(pathAndQuery)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private String base() {
        String g = gateway.toString();
        return g.endsWith("/") ? g : g + "/";
    }

    private HttpClient client() throws StoreCommand.InputException {
        if (!"https".equals(gateway.getScheme())) {
            throw new StoreCommand.InputException(
                    "--gateway は https:// の URL です。 --gateway must be an https:// URL, got " + gateway);
        }
        if (identity == null) {
            throw new StoreCommand.InputException(
                    "--gateway には --identity（監査担当の証明書）が要ります。 --gateway needs --identity (the auditor's"
                            + " certificate)");
        }
        try {
            Identity id = Identities.load(
                    identity,
                    PASSWORD.read(
                            passwordFile,
                            passwordEnv,
                            identityPassword,
                            "sekisho audit",
                            new java.io.PrintWriter(System.err, true, StandardCharsets.UTF_8),
                            System::getenv));
            List<X509Certificate> anchors =
                    gatewayCa != null ? Pem.readCertificates(gatewayCa) : ClientTls.caCertificates(id.chain());
            if (anchors.isEmpty()) {
                throw new StoreCommand.InputException("--identity に CA 証明書が含まれていません。--gateway-ca で指定して"
                        + "ください。 --identity holds no CA certificate; name it with --gateway-ca");
            }
            return HttpClient.newBuilder()
                    .sslContext(ClientTls.context(id.privateKey(), id.chain(), anchors))
                    .connectTimeout(Duration.ofSeconds(10))
                    .version(HttpClient.Version.HTTP_1_1)
                    .build();
        } catch (PkiException e) {
            throw new StoreCommand.InputException(e.getMessage());
        }
    }
}
