package jp.sekisho.client.training;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Clock;
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
import jp.sekisho.client.dummy.ResidentGenerator;

/**
 * The stand-in gateway that the class-data-sharing training run sends to and receives from (issue
 * 18). A JVM's AOT cache holds what its training run executed, not only the classes it loaded: call
 * sites linked, lambdas spun, method profiles. Trained on the pieces of a hand-off (keys, one TLS
 * request, sealing and opening in-process), a cold {@code send} of 1,000 rows took ~90 ms and a
 * {@code receive} ~85 ms longer than with a cache trained on the real commands. So the training runs
 * the real {@code send} and {@code receive} against this, in its own JVM, so that neither its
 * classes nor the PKI it mints (BouncyCastle's certificate builder, RSA key generation) end up in
 * the cache that every command maps.
 *
 * <p>Run as {@code java -cp CLASSPATH jp.sekisho.client.training.TrainingGateway DIR}: it mints a
 * PKI in DIR/pki, writes DIR/{@value #FILE} (1,000 dummy rows), listens on 127.0.0.1 with mutual
 * TLS, prints its URL as its one line of output, and ends when its standard input ends (its parent
 * closed it or died), or after {@link #LIFETIME_MS} at most. It answers the happy path of one
 * hand-off as the gateway does ({@link TrainingRoutes}) and checks nothing; CdsTrainingTest holds
 * both commands to succeed against it, so a protocol change it does not follow fails there.
 */
public final class TrainingGateway {

    /** The route the training sends and receives on. */
    public static final String ROUTE = "training";
    /** The training file, in DIR. */
    public static final String FILE = "training.csv";
    /** The sending and receiving identity (one: this gateway checks no roles), in DIR/pki. */
    public static final String CLIENT = "training-client";
    /** The recipient's certificate and key, in DIR/pki. */
    public static final String RECIPIENT = "training-recipient";
    /** A stray training gateway is gone after this long, whatever its parent does. */
    static final long LIFETIME_MS = 5 * 60_000;

    private TrainingGateway() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: TrainingGateway DIR (run by the class-data-sharing training, not by hand)");
            System.exit(2);
        }
        PrintStream out = System.out;
        Path dir = Path.of(args[0]);
        Listening listening = start(dir);
        try (SSLServerSocket server = listening.server()) {
            Thread serving = new Thread(() -> serve(server, listening.routes()), "training-gateway");
            serving.setDaemon(true);
            serving.start();
            out.println("https://127.0.0.1:" + server.getLocalPort() + "/");
            out.flush();
            Thread stdin = new Thread(TrainingGateway::awaitEndOfInput, "training-gateway-stdin");
            stdin.setDaemon(true);
            stdin.start();
            stdin.join(LIFETIME_MS);
        }
        System.exit(0);
    }

    /** The listening socket and what it answers. */
    record Listening(SSLServerSocket server, TrainingRoutes routes) {}

    /** Mints the PKI and the file in {@code dir}, and listens. */
    static Listening start(Path dir) throws IOException, GeneralSecurityException {
        Path pki = dir.resolve("pki");
        CertificateAuthority ca = CertificateAuthority.init(InitRequest.defaults(pki), Clock.systemUTC());
        Credential client = ca.issue(IssueRequest.of(CLIENT, CertKind.CLIENT));
        Credential recipient = ca.issue(IssueRequest.of(RECIPIENT, CertKind.RECIPIENT));
        try (Writer w = Files.newBufferedWriter(dir.resolve(FILE), StandardCharsets.UTF_8)) {
            new ResidentGenerator(1).write(w, 1000);
        }
        Identity gateway = Identities.load(pki.resolve(CertificateAuthority.GATEWAY + ".p12"), new char[0]);
        TrainingRoutes routes = new TrainingRoutes(
                ResidentGenerator.COLUMNS,
                Files.readString(recipient.certificateFile(), StandardCharsets.US_ASCII),
                client.certificate().getSubjectX500Principal().getName());
        return new Listening(serverSocket(gateway, ca), routes);
    }

    private static SSLServerSocket serverSocket(Identity gateway, CertificateAuthority ca)
            throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(
                "gateway", gateway.privateKey(), new char[0], gateway.chain().toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(anchors);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        SSLServerSocket s = (SSLServerSocket)
                ctx.getServerSocketFactory().createServerSocket(0, 8, InetAddress.getLoopbackAddress());
        s.setNeedClientAuth(true);
        return s;
    }

    /** Accepts until the socket closes; a connection per thread, each kept alive for its requests. */
    private static void serve(SSLServerSocket server, TrainingRoutes routes) {
        while (!server.isClosed()) {
            try {
                SSLSocket s = (SSLSocket) server.accept();
                Thread t = new Thread(() -> connection(s, routes), "training-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void connection(SSLSocket s, TrainingRoutes routes) {
        try (s) {
            s.setSoTimeout(60_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            TrainingHttp.Request r;
            while ((r = TrainingHttp.read(in)) != null) {
                TrainingHttp.write(out, r.method(), routes.answer(r));
            }
        } catch (IOException | RuntimeException e) {
            // the client went away or sent what the training never sends: that connection ends
        }
    }

    private static void awaitEndOfInput() {
        try {
            System.in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the parent is gone: end as well
        }
    }
}
