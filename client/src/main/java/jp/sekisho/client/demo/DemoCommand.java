package jp.sekisho.client.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.certs.CertKind;
import jp.sekisho.certs.CertificateAuthority;
import jp.sekisho.certs.InitRequest;
import jp.sekisho.certs.IssueRequest;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.client.Sekisho;
import jp.sekisho.gateway.AuditStores;
import jp.sekisho.gateway.Gateway;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.config.GatewayConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sekisho demo}: the whole hand-off on a fresh machine, on the embedded store. Every step
 * runs the same commands a person would type, in-process, and prints what they print.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the whole hand-off in a fresh folder, on the embedded store (no database server needed).",
            "",
            "Mints a PKI, starts a gateway, records and approves consultation 2総政第158号 (two secretariat members), "
                    + "applies the route as the operator, generates the dummy benefit-mailing file, sends it, receives and "
                    + "verifies it on the contractor's side, shows the receipt, the purge and the audit trail, then suspends "
                    + "the approval and shows the same send refused. The approval is left SUSPENDED so you can try "
                    + "reinstating it."
        })
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            defaultValue = "sekisho-demo",
            description =
                    "Folder for the demo (certs/, gateway.yml, routes.yml, data/, outbox/, inbox/). A previous demo "
                            + "there is replaced. Default: ./${DEFAULT-VALUE}.")
    Path dir;

    @Option(
            names = "--transfer-port",
            paramLabel = "PORT",
            defaultValue = "8443",
            description = "Default: ${DEFAULT-VALUE}.")
    int transferPort;

    @Option(
            names = "--admin-port",
            paramLabel = "PORT",
            defaultValue = "9443",
            description = "Default: ${DEFAULT-VALUE}.")
    int adminPort;

    @Option(
            names = "--records",
            paramLabel = "N",
            defaultValue = "305115",
            description = "Dummy residents to send. Default: ${DEFAULT-VALUE} (the benefit mailing).")
    int records;

    @Option(names = "--keep-running", description = "Leave the gateway running at the end (until Ctrl-C or SIGTERM).")
    boolean keepRunning;

    private PrintWriter out;
    private int step;
    private DemoLayout d;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        d = new DemoLayout(dir.toAbsolutePath().normalize());
        long t0 = System.nanoTime();
        prepareFolder();

        step(
                "A private PKI for this hand-off",
                "certs init + certs issue: CA, gateway, the city's sending system, the "
                        + "contractor's receiving system and its encryption certificate, two secretariat members, an auditor, an operator");
        mintPki();

        step("The gateway's configuration and routes", d.config() + "\n" + d.routes());
        Files.writeString(d.config(), DemoFiles.gatewayYml(transferPort, adminPort), StandardCharsets.UTF_8);
        Files.writeString(d.routes(), DemoFiles.routesYml(), StandardCharsets.UTF_8);

        step(
                "Starting the gateway",
                "embedded PostgreSQL in " + d.data().resolve("pg") + " (audit log, approvals, routes)");
        GatewayConfig cfg = GatewayConfigLoader.load(d.config());
        AtomicReference<AuditStore> store = new AtomicReference<>();
        Gateway gateway;
        try {
            gateway = Gateway.start(cfg, () -> {
                AuditStore s = AuditStores.open(cfg);
                store.set(s);
                return s;
            });
        } catch (RuntimeException e) {
            if (store.get() != null) {
                store.get().close();
            }
            throw new CliException(
                    ExitCode.UNAVAILABLE,
                    "the gateway could not start: " + e.getMessage()
                            + (e.getMessage() != null && e.getMessage().contains("Address already in use")
                                    ? " (another gateway on these ports? use --transfer-port/--admin-port)"
                                    : ""));
        }
        try {
            say("listening: " + gateway.describeListeners());
            runHandOff();
        } finally {
            if (!keepRunning) {
                gateway.close();
                store.get().close();
            }
        }
        out.printf("%nDone in %.1f s.%n", (System.nanoTime() - t0) / 1e9);
        nextSteps();
        if (keepRunning) {
            out.println("The gateway keeps running; stop it with Ctrl-C.");
            out.flush();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                gateway.close();
                                store.get().close();
                                stopped.countDown();
                            },
                            "sekisho-demo-stop"));
            stopped.await();
        }
        return ExitCode.OK;
    }

    private void runHandOff() throws Exception {
        String admin = "https://127.0.0.1:" + adminPort;
        String transfer = "https://127.0.0.1:" + transferPort;
        LocalDate today = LocalDate.now(java.time.ZoneId.of("Asia/Tokyo"));

        step("The secretariat records consultation " + DemoLayout.REF, "特別定額給付金: 14 data items, up to 305,115 records");
        cli(
                0,
                "approvals",
                "create",
                "--ref",
                DemoLayout.REF,
                "--title",
                "特別定額給付金給付事業（口座振込）",
                "--legal-basis",
                "条例第10条第1項第2号",
                "--department",
                "総務部",
                "--department",
                "市民文化部",
                "--contractor",
                DemoFiles.CONTRACTOR,
                "--items",
                "name,birth_date,sex,address,postal_code,phone,household_head,"
                        + "resident_code,household_code,bank_name,bank_branch,account_type,account_number,account_holder",
                "--max-records",
                "305115",
                "--valid-from",
                today.minusDays(1).toString(),
                "--valid-until",
                today.plusYears(1).toString(),
                "--conditions",
                "業務終了後、データを消去し廃棄報告を提出すること",
                "--delete-after-delivery",
                "--deletion-report-due",
                today.plusYears(1).plusMonths(1).toString(),
                "--meeting",
                "令和2年度第2回",
                "--gateway",
                admin,
                "--identity",
                id("secretariat"));

        step(
                "The council approves: one secretariat member decides, a second confirms",
                "two people to open, one to close");
        cli(
                0,
                "approvals",
                "decide",
                "--ref",
                DemoLayout.REF,
                "--decision",
                "approve-with-conditions",
                "--reason",
                "第2回審議会答申（条件付き承認）",
                "--gateway",
                admin,
                "--identity",
                id("secretariat"));
        cli(
                1,
                "approvals",
                "decide",
                "--ref",
                DemoLayout.REF,
                "--confirm",
                "--gateway",
                admin,
                "--identity",
                id("secretariat"));
        cli(
                0,
                "approvals",
                "decide",
                "--ref",
                DemoLayout.REF,
                "--confirm",
                "--reason",
                "答申書と照合済み",
                "--gateway",
                admin,
                "--identity",
                id("secretariat2"));

        step(
                "The operator applies the route",
                "kurume-benefit: city-sender -> contractor, 127.0.0.1 only, on the transfer listener");
        cli(0, "routes", "apply", d.routes().toString(), "--gateway", admin, "--identity", id("operator"));
        cli(0, "routes", "list", "--gateway", admin, "--identity", id("operator"));

        step(
                "The city generates the dummy benefit-mailing file",
                records + " synthetic residents; every name starts with DUMMY");
        Path csv = d.outbox().resolve("kyufukin-furikomi.csv");
        cli(0, "dummy", "residents", "--count", Integer.toString(records), "--out", csv.toString());

        step(
                "The city sends it",
                "signed with the city's key, encrypted (AES-256-GCM) for the contractor's certificate only, "
                        + "uploaded with tus; the gateway checks the envelope without decrypting it and signs a receipt");
        cli(
                0,
                "send",
                "--gateway",
                transfer,
                "--route",
                DemoLayout.ROUTE,
                "--file",
                csv.toString(),
                "--identity",
                id("city-sender"),
                "--gateway-key",
                signingKey().toString());

        step(
                "The contractor receives it",
                "downloads, decrypts with its own key, verifies the city's signature, then acknowledges");
        cli(
                0,
                "receive",
                "--gateway",
                transfer,
                "--route",
                DemoLayout.ROUTE,
                "--out",
                d.inbox().toString(),
                "--identity",
                id("contractor"),
                "--key",
                d.cert("contractor-enc", "key").toString(),
                "--cert",
                d.cert("contractor-enc", "pem").toString(),
                "--trust",
                d.cert("ca", "pem").toString(),
                "--once");

        step("Byte for byte", "the file the contractor holds is the file the city sent");
        Path received = d.inbox().resolve(csv.getFileName().toString());
        String sent = sha256(csv);
        String got = Files.exists(received) ? sha256(received) : "(missing)";
        say("sent     " + sent + "  " + csv);
        say("received " + got + "  " + received);
        if (!sent.equals(got)) {
            throw new CliException(ExitCode.REFUSED, "the received file differs from the sent one");
        }
        say("identical");

        step("Nothing left behind", "after the acknowledgment the gateway deleted its copy (TRANSFER_PURGED)");
        List<Path> left = files(d.spool());
        say(left.isEmpty() ? "the gateway's spool " + d.spool() + " is empty" : "still in the spool: " + left);

        step("The audit trail of this run", "every connection, decision and transfer step, allowed or denied");
        cli(
                0,
                "audit",
                "search",
                "--gateway",
                admin,
                "--identity",
                id("auditor"),
                "--type",
                "APPROVAL_CHANGED,ROUTE_CHANGED,TRANSFER_STARTED,TRANSFER_STORED,TRANSFER_DELIVERED,TRANSFER_ACKNOWLEDGED,"
                        + "TRANSFER_PURGED,REQUEST_DENIED");
        cli(
                0,
                "audit",
                "verify",
                "--gateway",
                admin,
                "--identity",
                id("auditor"),
                "--key",
                signingKey().toString());

        step(
                "A terminal the route does not list is refused before TLS",
                "a client bound to 127.0.0.2 connects to the transfer listener");
        say(connectFrom("127.0.0.2", transferPort));

        step(
                "The secretariat suspends the approval; the same send is refused",
                "stopping needs one person and acts at once");
        cli(
                0,
                "approvals",
                "decide",
                "--ref",
                DemoLayout.REF,
                "--decision",
                "suspend",
                "--reason",
                "委託先の安全管理措置を確認中",
                "--gateway",
                admin,
                "--identity",
                id("secretariat"));
        cli(
                1,
                "send",
                "--gateway",
                transfer,
                "--route",
                DemoLayout.ROUTE,
                "--file",
                csv.toString(),
                "--identity",
                id("city-sender"));
        say("refused: the route carries nothing while its approval is suspended (left SUSPENDED for you to try)");
    }

    private void nextSteps() {
        String admin = "https://127.0.0.1:" + adminPort;
        String rel = d.dir().toString();
        out.println();
        out.println("Admin API (mutual TLS): " + admin + "/api/v1/approvals   (see docs/openapi.yml)");
        out.println("Try next:");
        out.println(
                "  ./sekisho gateway --config " + rel + "/gateway.yml        # the same gateway again, with its state");
        out.println("  ./sekisho approvals decide --ref " + DemoLayout.REF + " --decision reinstate --reason 確認完了 \\");
        out.println("      --gateway " + admin + " --identity " + rel + "/certs/secretariat.p12");
        out.println("  ./sekisho approvals decide --ref " + DemoLayout.REF + " --confirm \\");
        out.println("      --gateway " + admin + " --identity " + rel + "/certs/secretariat2.p12");
        out.println("  ./sekisho audit export --gateway " + admin + " --identity " + rel
                + "/certs/auditor.p12 --out audit.jsonl");
        out.println("  ./sekisho approvals show --ref " + DemoLayout.REF + " --gateway " + admin + " --identity " + rel
                + "/certs/auditor.p12");
        out.flush();
    }

    private void prepareFolder() throws IOException {
        if (Files.exists(d.dir())) {
            boolean empty;
            try (Stream<Path> s = Files.list(d.dir())) {
                empty = s.findAny().isEmpty();
            }
            if (!empty && !Files.exists(d.marker())) {
                throw CliException.usage(
                        d.dir() + " exists and is not a Sekisho demo folder; choose another with --dir");
            }
            if (!empty) {
                out.println("Replacing the previous demo in " + d.dir());
                deleteTree(d.dir());
            }
        }
        Files.createDirectories(d.dir());
        Files.writeString(d.marker(), "made by `sekisho demo`; the demo replaces this folder on its next run\n");
        Files.createDirectories(d.outbox());
        Files.createDirectories(d.inbox());
        out.println("Sekisho demo in " + d.dir());
    }

    private void mintPki() {
        CertificateAuthority ca = CertificateAuthority.init(
                new InitRequest(
                        d.certs(), DemoFiles.CITY, 3650, List.of("localhost"), List.of("127.0.0.1"), null, false),
                Clock.systemUTC());
        for (String name : List.of("city-sender", "secretariat", "secretariat2", "auditor", "operator")) {
            ca.issue(new IssueRequest(
                    name, CertKind.CLIENT, DemoFiles.CITY, null, List.of(), List.of(), 397, null, null, false));
        }
        ca.issue(new IssueRequest(
                "contractor",
                CertKind.CLIENT,
                DemoFiles.CONTRACTOR,
                null,
                List.of(),
                List.of(),
                397,
                null,
                null,
                false));
        ca.issue(new IssueRequest(
                "contractor-enc",
                CertKind.RECIPIENT,
                DemoFiles.CONTRACTOR,
                null,
                List.of(),
                List.of(),
                397,
                null,
                null,
                false));
        say(
                d.certs()
                        + ": ca, gateway, city-sender, contractor, contractor-enc, secretariat, secretariat2, auditor, operator");
    }

    /** The gateway's audit signing public key: it verifies receipts and the audit log's checkpoints. */
    private Path signingKey() {
        return d.data().resolve("audit-signing.pub.pem");
    }

    private String id(String name) {
        return d.cert(name, "p12").toString();
    }

    /** Runs a sekisho command as a person would, prints it and what it printed, and checks its exit code. */
    private void cli(int expected, String... args) {
        out.println("  $ sekisho " + String.join(" ", shorten(args)));
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Sekisho.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
        o.toString().lines().forEach(l -> out.println("    " + l));
        e.toString().lines().forEach(l -> out.println("    " + l));
        out.flush();
        if (code != expected) {
            throw new CliException(
                    code == 0 ? ExitCode.REFUSED : code,
                    "demo step failed: sekisho " + args[0] + " " + args[1] + " exited " + code + " (expected "
                            + expected + ")");
        }
    }

    /** Paths inside the demo folder are shown relative to it, so the commands stay readable. */
    private List<String> shorten(String[] args) {
        List<String> shown = new ArrayList<>();
        String base = d.dir().toString() + "/";
        for (String a : args) {
            shown.add(a.startsWith(base) ? a.substring(base.length()) : a.contains(" ") ? "'" + a + "'" : a);
        }
        return shown;
    }

    private void step(String title, String detail) {
        out.printf("%n[%d] %s%n", ++step, title);
        if (detail != null && !detail.isBlank()) {
            detail.lines().forEach(l -> out.println("    " + l));
        }
        out.flush();
    }

    private void say(String line) {
        out.println("    " + line);
        out.flush();
    }

    private static String connectFrom(String localAddress, int port) {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            s.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 3000);
            s.setSoTimeout(3000);
            // A TLS ClientHello would follow; the gateway closes the connection before reading anything.
            InputStream in = s.getInputStream();
            int b = in.read();
            return b < 0
                    ? "connection from " + localAddress + " closed by the gateway before any TLS byte "
                            + "(CONNECTION_REFUSED / IP_NOT_ALLOWED in the audit log)"
                    : "unexpected: the gateway answered";
        } catch (IOException e) {
            return "connection from " + localAddress + " refused: " + e.getMessage();
        }
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
