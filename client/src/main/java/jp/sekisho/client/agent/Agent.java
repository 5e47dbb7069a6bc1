package jp.sekisho.client.agent;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jp.sekisho.certs.ClientTls;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.Identity;
import jp.sekisho.certs.Pem;
import jp.sekisho.certs.PkiException;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.cli.PasswordSource;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.client.transfer.FileSender;
import jp.sekisho.client.transfer.InboxRound;
import jp.sekisho.client.transfer.ItemsMap;
import jp.sekisho.client.transfer.TextEncoding;
import jp.sekisho.envelope.TrustAnchors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resident agent: one JVM, one gateway client (its TLS sessions reused), one worker per outbox
 * and per inbox. {@link #open} reads every key and takes every folder before anything is sent, so a
 * mistake stops the start, not a file half-way.
 */
final class Agent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("jp.sekisho.client.agent");

    static final PasswordSource IDENTITY_PASSWORD =
            new PasswordSource("identity-password-file", "-", "-", "SEKISHO_IDENTITY_PASSWORD");
    static final PasswordSource KEY_PASSWORD =
            new PasswordSource("key-password-file", "-", "-", "SEKISHO_KEY_PASSWORD");

    private final AgentConfig config;
    private final List<OutboxFolder> folders = new ArrayList<>();
    private final List<OutboxWorker> outboxes = new ArrayList<>();
    private final List<InboxWorker> inboxes = new ArrayList<>();

    private Agent(AgentConfig config) {
        this.config = config;
    }

    /** Loads the identity and keys and takes the folders; a {@link CliException} says what is wrong. */
    static Agent open(AgentConfig config, PrintWriter err) {
        Identity identity = identity(config, err);
        GatewayClient client = client(config, identity);
        Agent agent = new Agent(config);
        try {
            for (AgentConfig.Outbox o : config.outboxes()) {
                ItemsMap map = o.itemsMap() == null ? null : ItemsMap.read(o.itemsMap(), TextEncoding.UTF_8);
                OutboxFolder folder = OutboxFolder.open(o);
                agent.folders.add(folder);
                agent.outboxes.add(new OutboxWorker(
                        folder,
                        new FileSender(client, identity, LogWriter.to(LOG)),
                        map,
                        new Retry(config.retryMax())));
            }
            if (!config.inboxes().isEmpty()) {
                InboxRound.Keys keys = keys(config.recipient(), err);
                for (AgentConfig.Inbox i : config.inboxes()) {
                    agent.inboxes.add(InboxWorker.open(client, i, keys, new Retry(config.retryMax())));
                }
            }
        } catch (RuntimeException | Error e) {
            agent.close();
            throw e;
        }
        return agent;
    }

    static Identity identity(AgentConfig config, PrintWriter err) {
        try {
            return Identities.load(
                    config.identity(),
                    IDENTITY_PASSWORD.read(
                            config.identityPasswordFile(), null, null, "sekisho agent", err, System::getenv));
        } catch (PkiException e) {
            throw CliException.usage(config.file() + ": identity: " + e.getMessage());
        }
    }

    static InboxRound.Keys keys(AgentConfig.Recipient r, PrintWriter err) {
        try {
            PrivateKey key = Pem.readPrivateKey(
                    r.key(), KEY_PASSWORD.read(r.keyPasswordFile(), null, null, "sekisho agent", err, System::getenv));
            X509Certificate cert = r.cert() == null ? null : Pem.readCertificate(r.cert());
            return new InboxRound.Keys(key, cert, TrustAnchors.fromPem(r.trust()));
        } catch (PkiException e) {
            throw CliException.usage("key/cert/trust: " + e.getMessage());
        }
    }

    static GatewayClient client(AgentConfig config, Identity identity) {
        List<X509Certificate> anchors;
        if (config.gatewayCa() != null) {
            try {
                anchors = Pem.readCertificates(config.gatewayCa());
            } catch (PkiException e) {
                throw CliException.usage(config.file() + ": gateway-ca: " + e.getMessage());
            }
        } else {
            anchors = ClientTls.caCertificates(identity.chain());
            if (anchors.isEmpty()) {
                throw CliException.usage(config.file() + ": identity " + config.identity()
                        + " holds no CA certificate; name the gateway's CA with gateway-ca");
            }
        }
        InetAddress bind = null;
        if (config.bind() != null) {
            try {
                bind = InetAddress.getByName(config.bind());
            } catch (UnknownHostException e) {
                throw CliException.usage(config.file() + ": bind: アドレスとして読めません。 not an address: " + e.getMessage());
            }
        }
        return new GatewayClient(config.gateway(), identity, anchors, Duration.ofSeconds(10), bind);
    }

    /**
     * One pass of every outbox and one round of every inbox.
     *
     * @return 0 when all went well, 1 when a file went to failed/, was held back after an unexpected
     *         error (it stays in sending/ for the next run) or a transfer was refused, 3 when
     *         the gateway could not be reached (what was claimed stays for the next run)
     */
    int once() {
        int code = ExitCode.OK;
        for (OutboxWorker w : outboxes) {
            try {
                OutboxWorker.Pass pass = w.pass();
                if (pass.failed() > 0 || pass.held() > 0) {
                    code = Math.max(code, ExitCode.REFUSED);
                }
            } catch (CliException e) {
                LOG.warn("ゲートウェイに接続できません / gateway unavailable: route={} {}", w.route(), e.getMessage());
                code = ExitCode.UNAVAILABLE;
            } catch (java.io.IOException e) {
                throw CliException.usage("outbox of route " + w.route() + ": " + e.getMessage());
            }
        }
        for (InboxWorker w : inboxes) {
            try {
                if (w.once() > 0) {
                    code = Math.max(code, ExitCode.REFUSED);
                }
            } catch (CliException e) {
                LOG.warn("受信できません / cannot receive: route={} {}", w.route(), e.getMessage());
                code = e.exitCode() == ExitCode.UNAVAILABLE ? ExitCode.UNAVAILABLE : Math.max(code, e.exitCode());
            }
        }
        return code;
    }

    /** Runs every worker on its own thread until the JVM stops (SIGTERM: systemd's stop). */
    void run() throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (OutboxWorker w : outboxes) {
            threads.add(new Thread(() -> w.run(config.poll()), "agent-outbox-" + w.route()));
        }
        for (InboxWorker w : inboxes) {
            threads.add(new Thread(() -> w.run(config.poll()), "agent-inbox-" + w.route()));
        }
        LOG.info(
                "エージェントを開始しました / agent started: gateway={} outboxes={} inboxes={} poll={}",
                config.gateway(),
                outboxes.size(),
                inboxes.size(),
                config.poll());
        threads.forEach(Thread::start);
        try {
            for (Thread t : threads) {
                t.join();
            }
        } finally {
            // stopped (interrupted): each worker ends between files or its send stops with its state kept
            threads.forEach(Thread::interrupt);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(20));
            }
        }
    }

    @Override
    public void close() {
        folders.forEach(OutboxFolder::close);
        inboxes.forEach(InboxWorker::close);
    }
}
