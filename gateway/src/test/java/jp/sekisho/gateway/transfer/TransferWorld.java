package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Random;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.envelope.Sealer;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.approval.ApprovalFixtures;
import jp.sekisho.gateway.approval.ApprovalState;
import jp.sekisho.gateway.approval.ApprovalStatus;
import jp.sekisho.gateway.approval.Decision;
import jp.sekisho.gateway.approval.DecisionOutcome;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.route.RouteFile;
import jp.sekisho.gateway.route.RouteService;
import jp.sekisho.gateway.support.GatewayFixture;

/**
 * A PKI, a fresh PostgreSQL database and a gateway with the parties of a transfer: city-sender
 * (sender), contractor (receiver), other-receiver (a receiver, but not of these routes), two
 * secretariat members, an operator, an auditor; approvals approved by two persons and routes applied through the services.
 */
public final class TransferWorld implements AutoCloseable {

    public static final String LISTENERS = """
              transfer: { bind: 127.0.0.1, port: 0, allow: [10.255.255.254/32] }
              admin:    { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }
            """;
    public static final String PRINCIPALS = """
              - { subject: "CN=secretariat,O=Sekisho",    roles: [secretariat] }
              - { subject: "CN=secretariat2,O=Sekisho",   roles: [secretariat] }
              - { subject: "CN=city-sender,O=Sekisho",    roles: [sender] }
              - { subject: "CN=contractor,O=Sekisho",     roles: [receiver] }
              - { subject: "CN=other-receiver,O=Sekisho", roles: [receiver] }
              - { subject: "CN=operator,O=Sekisho",       roles: [operator] }
              - { subject: "CN=auditor,O=Sekisho",        roles: [auditor] }
            """;
    public static final Caller ALICE =
            new Caller(new AuditPrincipal("CN=secretariat,O=Sekisho", "01", "aa"), "127.0.0.1", 1, 1, "t");
    public static final Caller BOB =
            new Caller(new AuditPrincipal("CN=secretariat2,O=Sekisho", "02", "bb"), "127.0.0.1", 1, 1, "t");

    public final Path dir;
    public final TestPki pki;
    public final ExternalPostgres pg;
    public final GatewayFixture gw;

    TransferWorld(Path dir) throws Exception {
        this(dir, LISTENERS, PRINCIPALS, List.of());
    }

    /**
     * As above with other listeners and principals (YAML under {@code listeners:} and
     * {@code principals:}) and more client certificates issued before the gateway starts.
     */
    public TransferWorld(Path dir, String listeners, String principals, List<String> moreClients) throws Exception {
        this(dir, listeners, principals, moreClients, null);
    }

    /**
     * As above; {@code storeYaml} non-null replaces the fresh database on the shared server by this
     * top-level YAML ("" for the embedded store, or a {@code store:} section and audit settings).
     */
    public TransferWorld(Path dir, String listeners, String principals, List<String> moreClients, String storeYaml)
            throws Exception {
        this.dir = dir;
        pki = TestPki.create(dir.resolve("certs"));
        for (String n : List.of(
                "secretariat", "secretariat2", "city-sender", "contractor", "other-receiver", "operator", "auditor")) {
            pki.client(n);
        }
        for (String n : moreClients) {
            pki.client(n);
        }
        pki.recipient("contractor-enc");
        pki.recipient("stranger-enc");
        pg = storeYaml == null ? ExternalPostgres.create() : null;
        gw = GatewayFixture.start(
                dir.resolve("gw"), pki, "gw1", listeners, principals, storeYaml == null ? storeYaml() : storeYaml);
    }

    String storeYaml() {
        return "store:\n  url: " + pg.url() + "\n  user: " + ExternalPostgres.APP_ROLE + "\n  owner-user: postgres\n";
    }

    /** A consultation as the secretariat enters it, valid from yesterday for 30 days (Tokyo dates). */
    public static Approval draft(String ref, long maxRecords) {
        Approval p = ApprovalFixtures.pending();
        return new Approval(
                ref,
                p.title(),
                p.legalBasis(),
                p.departments(),
                p.contractor(),
                p.subcontractors(),
                p.dataItems(),
                maxRecords,
                LocalDate.now(ApprovalState.TOKYO).minusDays(1),
                LocalDate.now(ApprovalState.TOKYO).plusDays(30),
                p.conditions(),
                p.meetingRef(),
                ApprovalStatus.PENDING,
                null,
                null,
                1);
    }

    /** Records and approves (two persons) an approval allowing {@code maxRecords} per transfer. */
    public void approve(String ref, long maxRecords) {
        Approval draft = draft(ref, maxRecords);
        var services = gw.gateway.policy().approvals();
        assertInstanceOf(DecisionOutcome.Applied.class, services.create(draft, ALICE));
        assertInstanceOf(
                DecisionOutcome.AwaitingConfirmation.class, services.decide(ref, Decision.APPROVE, "答申", ALICE));
        assertInstanceOf(DecisionOutcome.Applied.class, services.confirm(ref, "確認", BOB));
    }

    /** Records an approval and leaves it PENDING (the council has not decided yet). */
    public void pending(String ref) {
        Approval draft = draft(ref, 1000);
        assertInstanceOf(
                DecisionOutcome.Applied.class, gw.gateway.policy().approvals().create(draft, ALICE));
    }

    public void decide(String ref, Decision d) {
        var services = gw.gateway.policy().approvals();
        DecisionOutcome o = services.decide(ref, d, "test", ALICE);
        if (o instanceof DecisionOutcome.AwaitingConfirmation) {
            o = services.confirm(ref, "確認", BOB);
        }
        assertInstanceOf(DecisionOutcome.Applied.class, o);
    }

    /**
     * One routes-file entry: city-sender to contractor from 127.0.0.1 on the transfer listener,
     * sealed for contractor-enc; {@code maxPayload} null leaves the gateway's default.
     */
    public static String route(String id, String approval, String maxPayload) {
        return "  - id: " + id + "\n"
                + "    listener: transfer\n"
                + "    approval: " + approval + "\n"
                + "    senders:   [{ subject: \"CN=city-sender,O=Sekisho\", allow: [127.0.0.1/32] }]\n"
                + "    receivers: [{ subject: \"CN=contractor,O=Sekisho\", allow: [127.0.0.1/32] }]\n"
                + "    recipients: [certs/contractor-enc.pem]\n"
                + (maxPayload == null ? "" : "    max-payload: " + maxPayload + "\n");
    }

    /** Applies a routes file (YAML under {@code routes:}), relative to the PKI's parent folder. */
    public void routes(String yaml) throws Exception {
        Path f = dir.resolve("routes.yml");
        Files.writeString(f, yaml);
        assertInstanceOf(
                RouteService.Applied.Done.class, gw.gateway.policy().routes().apply(RouteFile.read(f), ALICE, false));
    }

    TusClient client(String who) throws Exception {
        return new TusClient(
                "https://127.0.0.1:" + gw.gateway.port("transfer"),
                Tls.client(pki.dir().resolve(who + ".p12"), pki.caFile()));
    }

    /** Seals {@code size} pseudo-random bytes for {@code recipient} with the sender's identity. */
    public Path seal(String name, long size, String recipient, ContentCipher cipher) throws Exception {
        Path out = dir.resolve(name);
        try (InputStream in = new RepeatingRandom(size, name.hashCode());
                OutputStream os = Files.newOutputStream(out)) {
            Sealer.seal(
                    in,
                    os,
                    Identities.load(pki.dir().resolve("city-sender.p12"), new char[0]),
                    List.of(certificate(recipient)),
                    cipher);
        }
        return out;
    }

    public java.security.cert.X509Certificate certificate(String name) throws Exception {
        try (InputStream in = Files.newInputStream(pki.dir().resolve(name + ".pem"))) {
            return (java.security.cert.X509Certificate)
                    java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** Files of a transfer left in the spool. */
    List<Path> spoolFiles(Path dataDir, String id) throws Exception {
        Path spool = dataDir.resolve("spool");
        if (!Files.isDirectory(spool)) {
            return List.of();
        }
        try (var s = Files.list(spool)) {
            return s.filter(p -> p.getFileName().toString().startsWith(id)).toList();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            gw.close();
        } finally {
            if (pg != null) {
                pg.close();
            }
        }
    }

    /** {@code size} bytes: a 1 MiB random block repeated (cheap; it is encrypted anyway). */
    static final class RepeatingRandom extends InputStream {
        private final byte[] block = new byte[1 << 20];
        private long left;
        private int pos;

        RepeatingRandom(long size, long seed) {
            new Random(seed).nextBytes(block);
            left = size;
        }

        @Override
        public int read() {
            if (left <= 0) {
                return -1;
            }
            left--;
            int b = block[pos] & 0xff;
            pos = (pos + 1) % block.length;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(Math.min(len, left), block.length - pos);
            System.arraycopy(block, pos, b, off, n);
            pos = (pos + n) % block.length;
            left -= n;
            return n;
        }
    }

    static InputStream bytes(byte[] b) {
        return new ByteArrayInputStream(b);
    }
}
