package jp.sekisho.client;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import jp.sekisho.certs.CertKind;
import jp.sekisho.certs.CertificateAuthority;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.Identity;
import jp.sekisho.certs.InitRequest;
import jp.sekisho.certs.IssueRequest;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.envelope.Opener;
import jp.sekisho.envelope.Sealer;
import jp.sekisho.envelope.TrustAnchors;

/**
 * The training run behind the launchers' class-data-sharing archive (issue 18: a command that does
 * little must start in under 0.3 s, and a send's fixed cost is mostly classes loaded once per run).
 * The launcher runs this once per Java and jar, in the background, with
 * {@code -XX:ArchiveClassesAtExit}; every class loaded here is then mapped from the archive by later
 * commands instead of being read, verified and linked again. So it walks what an everyday send and
 * receive walk, with the real code: the command line model and help, a PKI made and a PKCS#12
 * identity read, a mutual-TLS request with the client's HTTP stack and its bulk-upload socket, JSON,
 * and an envelope sealed and opened. It writes only into a temporary folder it removes and talks only
 * to itself on loopback; a step that fails is skipped (the archive then just holds less).
 */
final class CdsTraining {

    /** The system property that makes {@code sekisho} run this instead of a command. */
    static final String PROPERTY = "sekisho.cds.training";

    private CdsTraining() {}

    static int run() {
        PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
        for (String[] line : new String[][] {
            {"--version"},
            {"--help"},
            {"send", "--help"},
            {"receive", "--help"},
            {"seal", "--help"},
            {"open", "--help"},
            {"approvals", "list", "--help"},
            {"routes", "list", "--help"},
            {"audit", "search", "--help"},
            {"no-such-command"}
        }) {
            Sekisho.run(nowhere, nowhere, line);
        }
        for (String[] line : new String[][] {
            {"send", "--route", "r", "--file", "f.csv", "--identity", "i.p12", "--timings"},
            {
                "receive",
                "--route",
                "r",
                "--out",
                "in",
                "--identity",
                "i.p12",
                "--key",
                "k.pem",
                "--trust",
                "ca.pem",
                "--once"
            }
        }) {
            // parsed only (not run): the argument groups' validation loads classes a --help never does
            Sekisho.commandLine(line).parseArgs(line);
        }
        org.slf4j.LoggerFactory.getLogger(CdsTraining.class).debug("class-data-sharing training run");
        Path dir = null;
        try {
            dir = Files.createTempDirectory("sekisho-cds-training");
            handOff(dir);
        } catch (Exception | LinkageError e) {
            // best effort: whatever loaded so far is archived
        } finally {
            removeQuietly(dir);
        }
        return 0;
    }

    /** The classes of a send and a receive: keys, mutual TLS, JSON, sealing and opening. */
    static void handOff(Path dir) throws Exception {
        Path pki = dir.resolve("pki");
        CertificateAuthority ca = CertificateAuthority.init(InitRequest.defaults(pki), Clock.systemUTC());
        Credential client = ca.issue(IssueRequest.of("client", CertKind.CLIENT));
        Credential recipient = ca.issue(IssueRequest.of("recipient", CertKind.RECIPIENT));
        Identity sender = Identities.load(client.pkcs12File(), new char[0]);
        Identity gateway = Identities.load(pki.resolve(CertificateAuthority.GATEWAY + ".p12"), new char[0]);

        try (SSLServerSocket server = serverSocket(gateway, ca.certificate())) {
            Thread answering = new Thread(() -> answer(server, 2), "sekisho-cds-training");
            answering.setDaemon(true);
            answering.start();
            URI base = URI.create("https://127.0.0.1:" + server.getLocalPort() + "/");
            GatewayClient gc = new GatewayClient(base, sender, List.of(ca.certificate()), Duration.ofSeconds(5));
            gc.get("api/v1/routes/training/terms").object();
            var patch = (javax.net.ssl.HttpsURLConnection)
                    base.resolve("api/v1/transfers/training").toURL().openConnection();
            patch.setSSLSocketFactory(gc.socketFactory());
            patch.setRequestMethod("PUT");
            patch.setDoOutput(true);
            patch.setFixedLengthStreamingMode(2);
            try (OutputStream body = patch.getOutputStream()) {
                body.write(new byte[] {'{', '}'});
            }
            patch.getResponseCode();
            patch.disconnect();
            answering.join(5_000);
        }

        byte[] csv = "氏名,住所\nDUMMY 山田 太郎,久留米市\n".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream envelope = new ByteArrayOutputStream();
        Sealer.seal(
                new ByteArrayInputStream(csv),
                envelope,
                sender,
                List.of(recipient.certificate()),
                ContentCipher.AES_256_GCM);
        Path sealed = Files.write(dir.resolve("training.cms"), envelope.toByteArray());
        Opener.open(
                sealed,
                dir.resolve("training.csv"),
                recipient.privateKey(),
                recipient.certificate(),
                TrustAnchors.of(List.of(ca.certificate())));
    }

    private static SSLServerSocket serverSocket(Identity gateway, java.security.cert.X509Certificate caCert)
            throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(
                "gateway",
                gateway.privateKey(),
                new char[0],
                gateway.chain().toArray(new java.security.cert.Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("ca", caCert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(anchors);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        SSLServerSocket s = (SSLServerSocket)
                ctx.getServerSocketFactory().createServerSocket(0, 4, InetAddress.getLoopbackAddress());
        s.setNeedClientAuth(true);
        s.setSoTimeout(5_000);
        return s;
    }

    /** Answers {@code count} requests, one per connection, with a small JSON object. */
    private static void answer(SSLServerSocket server, int count) {
        byte[] json = "{\"route\":\"training\",\"ok\":true}".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < count; i++) {
            try (SSLSocket s = (SSLSocket) server.accept()) {
                s.setSoTimeout(5_000);
                InputStream in = s.getInputStream();
                readHead(in);
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + json.length
                                + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(json);
                out.flush();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Reads up to the blank line and a small body that may follow it (the training's PUT sends 2 bytes). */
    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        if (in.available() > 0) {
            in.readNBytes(in.available());
        }
    }

    private static void removeQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder: the system cleans it eventually
        }
    }
}
