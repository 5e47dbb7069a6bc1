package jp.sekisho.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release as a host with only Java gets it: the tarball unpacked into a temporary folder, run
 * with a PATH on which mvn cannot be found. `bin/sekisho demo` mints a PKI and runs a hand-off on
 * its embedded store; then `bin/sekisho gateway` is started on the demo's configuration as its own
 * process and a second hand-off (reinstated approval, send, receive) goes through it, each command
 * its own process.
 */
class ReleaseTarballIT {

    private static final String ROUTE = "kurume-benefit";
    private static final String REF = "2総政第158号";

    @TempDir
    Path tmp;

    private Path home;
    private Map<String, String> env;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Proc.Result sekisho(String log, Duration timeout, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/sekisho").toString()));
        cmd.addAll(List.of(args));
        Map<String, String> e = env;
        if (!args[0].equals("demo")) { // short runs start quicker with C1 only; the demo hosts a gateway
            e = new HashMap<>(env);
            e.put("SEKISHO_JAVA_OPTS", Proc.QUICK_CLI_OPTS);
        }
        return Proc.run(cmd, e, tmp, tmp.resolve(log + ".log"), timeout);
    }

    private void ok(String log, String... args) throws Exception {
        Proc.Result r = sekisho(log, Duration.ofSeconds(60), args);
        assertEquals(0, r.code(), String.join(" ", args) + "\n" + r.tail(4000));
    }

    @Test
    void theUnpackedReleaseRunsAGatewayAndAHandOffWithoutMaven() throws Exception {
        home = Release.unpack(tmp.resolve("opt"));
        for (String f : List.of(
                "bin/sekisho",
                "lib/sekisho.jar",
                "etc/gateway.yml",
                "etc/routes.yml",
                "etc/sekisho.env",
                "etc/haproxy.cfg",
                "systemd/sekisho-gateway.service",
                "systemd/sekisho-crl.service",
                "systemd/sekisho-crl.timer",
                "systemd/sekisho-agent.service",
                "docs/operations.md",
                "docs/agent.md",
                "docs/gateway-config.md",
                "docs/scaling.md",
                "LICENSE",
                "README.md")) {
            assertTrue(Files.isRegularFile(home.resolve(f)), "the release holds " + f);
        }
        assertTrue(Files.isExecutable(home.resolve("bin/sekisho")), "bin/sekisho is executable");
        try (var libs = Files.list(home.resolve("lib"))) {
            assertTrue(libs.count() > 20, "lib/ holds the client jar's runtime class path");
        }

        env = new HashMap<>();
        env.put("PATH", NoMavenPath.create(tmp.resolve("path")));
        env.put("HOME", Files.createDirectories(tmp.resolve("home")).toString());
        env.put("LANG", "C.UTF-8");
        env.put("SEKISHO_CDS", "0"); // the archive has its own test below
        Proc.Result which = Proc.run(
                List.of("/bin/bash", "-c", "command -v mvn"),
                env,
                tmp,
                tmp.resolve("which.log"),
                Duration.ofSeconds(10));
        assertNotEquals(0, which.code(), "mvn is not on the test's PATH: " + which.out());

        Proc.Result version = sekisho("version", Duration.ofSeconds(30), "--version");
        assertEquals(0, version.code(), version.out());
        assertTrue(version.out().startsWith("sekisho " + Release.version() + " (Java "), version.out());

        // the repository's developer launcher, copied into an installed tree, hands over to bin/sekisho
        Path devLauncher = home.resolve("sekisho");
        Files.copy(
                Path.of(System.getProperty("sekisho.repoLauncher", "../sekisho")),
                devLauncher,
                java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        Proc.Result dev = Proc.run(
                List.of(devLauncher.toString(), "--version"), env, tmp, tmp.resolve("dev.log"), Duration.ofSeconds(30));
        assertEquals(version.out(), dev.out(), "./sekisho in an installed tree runs bin/sekisho, never Maven");
        assertEquals(0, dev.code());

        Path demo = tmp.resolve("demo");
        int transfer = freePort();
        int admin = freePort();
        Proc.Result d = sekisho(
                "demo",
                Duration.ofSeconds(150),
                "demo",
                "--dir",
                demo.toString(),
                "--records",
                "2000",
                "--relay-upstream",
                "jdk",
                "--transfer-port",
                Integer.toString(transfer),
                "--admin-port",
                Integer.toString(admin),
                "--relay-port",
                Integer.toString(freePort()),
                "--upstream-port",
                Integer.toString(freePort()));
        assertEquals(0, d.code(), d.tail(6000));
        assertTrue(d.out().contains("signature: valid") && d.out().contains("identical"), d.tail(6000));
        assertTrue(d.out().contains("APPROVAL_SUSPENDED"), "the demo ends with its approval suspended");
        assertTrue(!d.out().contains("building the jars"), "the release never builds");

        Process gateway = Proc.start(
                List.of(
                        home.resolve("bin/sekisho").toString(),
                        "gateway",
                        "--config",
                        demo.resolve("gateway.yml").toString()),
                env,
                tmp,
                tmp.resolve("gateway.log"));
        try {
            Proc.awaitListening(gateway, tmp.resolve("gateway.log"));
            handOffThrough(demo, "https://127.0.0.1:" + transfer, "https://127.0.0.1:" + admin);
        } finally {
            // 143 (128 + SIGTERM) is the JVM's clean stop; systemd's unit lists it as SuccessExitStatus
            int code = Proc.stop(gateway);
            assertTrue(
                    code == 0 || code == 143, "the gateway stops cleanly on SIGTERM (" + code + "): " + log("gateway"));
        }
    }

    /** The approval reinstated by two secretariat members, then a send and a receive, each a process. */
    private void handOffThrough(Path demo, String transfer, String admin) throws Exception {
        String certs = demo.resolve("certs") + "/";
        ok(
                "reinstate",
                "approvals",
                "decide",
                "--ref",
                REF,
                "--decision",
                "reinstate",
                "--reason",
                "確認完了",
                "--gateway",
                admin,
                "--identity",
                certs + "secretariat.p12");
        ok(
                "confirm",
                "approvals",
                "decide",
                "--ref",
                REF,
                "--confirm",
                "--gateway",
                admin,
                "--identity",
                certs + "secretariat2.p12");
        Path file = demo.resolve("outbox/second.csv");
        ok("dummy", "dummy", "residents", "--count", "500", "--out", file.toString());
        ok(
                "send",
                "send",
                "--gateway",
                transfer,
                "--route",
                ROUTE,
                "--file",
                file.toString(),
                "--identity",
                certs + "city-sender.p12");
        Path inbox = Files.createDirectories(tmp.resolve("inbox2"));
        ok(
                "receive",
                "receive",
                "--gateway",
                transfer,
                "--route",
                ROUTE,
                "--out",
                inbox.toString(),
                "--identity",
                certs + "contractor.p12",
                "--key",
                certs + "contractor-enc.key",
                "--cert",
                certs + "contractor-enc.pem",
                "--trust",
                certs + "ca.pem",
                "--once");
        assertEquals(
                Files.readString(file, StandardCharsets.UTF_8),
                Files.readString(inbox.resolve("second.csv"), StandardCharsets.UTF_8),
                "the contractor holds the file the city sent");
    }

    /**
     * The class-data-sharing archive (issue 18): the first command trains it in the background for
     * the next, and two commands started at the same moment succeed whether the archive is missing,
     * being written or there. With -Xshare:on a JVM refuses to start unless it maps the archive, so
     * the last pair also proves the archive is whole and matches this Java and these jars.
     */
    @Test
    void twoCommandsStartingAtOnceSucceedWithAndWithoutTheClassDataArchive() throws Exception {
        home = Release.unpack(tmp.resolve("opt"));
        env = new HashMap<>();
        env.put("PATH", NoMavenPath.create(tmp.resolve("path")));
        env.put("HOME", Files.createDirectories(tmp.resolve("home")).toString());
        env.put("LANG", "C.UTF-8");
        Path cds = home.resolve("lib/cds");

        bothSucceed("cold", "--version");
        awaitTrained(cds, 1);
        Path archive = archives(cds, "sekisho-").get(0);

        bothSucceed("warm", "--version");
        env.put("SEKISHO_JAVA_OPTS", "-Xshare:on");
        bothSucceed("shared", "approvals", "list", "--help");
        assertEquals(List.of(archive), archives(cds, "sekisho-"), "one archive, trained once");

        // The commands that move a file map an AOT cache of their own on Java 25+ (-XX:AOTCache cannot
        // be given beside -Xshare, so -XX:AOTMode=on is what makes the JVM refuse to start without it).
        env.remove("SEKISHO_JAVA_OPTS");
        bothSucceed("cold-transfer", "send", "--help");
        String version = log("warm-a");
        int major = Integer.parseInt(version.replaceFirst("(?s).*\\(Java (\\d+).*", "$1"));
        if (major >= 25) {
            awaitTrained(cds, 2);
            Path aot = archives(cds, "sekisho-").get(0);
            assertTrue(
                    aot.toString().endsWith(".aot"), archives(cds, "sekisho-").toString());
            env.put("SEKISHO_JAVA_OPTS", "-XX:AOTMode=on");
            bothSucceed("aot", "receive", "--help");
            env.put("SEKISHO_JAVA_OPTS", "-Xshare:off"); // the user's sharing option wins, no clash
            bothSucceed("aot-off", "seal", "--help");
            assertEquals(List.of(aot, archive), archives(cds, "sekisho-"), "each kind trained once");
        } else {
            env.put("SEKISHO_JAVA_OPTS", "-Xshare:on"); // below 25 they share the one archive
            bothSucceed("shared-transfer", "receive", "--help");
            assertEquals(List.of(archive), archives(cds, "sekisho-"));
        }

        // BouncyCastle's classes come from the archive too: its jars in lib/ carry no signature,
        // and the JVM archives no class of a signed jar (about half a second of CPU per send). Seen
        // through `seal`, which the archive's training walks (inside its send); -Xshare:on in
        // SEKISHO_JAVA_OPTS gives it the class-data-sharing archive instead of the AOT cache.
        Path pki = tmp.resolve("pki");
        for (List<String> setUp : List.of(
                List.of("certs", "init", "--dir", pki.toString()),
                List.of("certs", "issue", "--dir", pki.toString(), "--name", "sender", "--kind", "client"),
                List.of("certs", "issue", "--dir", pki.toString(), "--name", "recipient", "--kind", "recipient"))) {
            List<String> command =
                    new ArrayList<>(List.of(home.resolve("bin/sekisho").toString()));
            command.addAll(setUp);
            Proc.Result r = Proc.run(command, env, tmp, tmp.resolve("pki.log"), Duration.ofSeconds(60));
            assertEquals(0, r.code(), r.tail(4000));
        }
        Path plain = Files.writeString(tmp.resolve("rows.csv"), "氏名,住所\nDUMMY 山田 太郎,久留米市\n");
        Path loaded = tmp.resolve("class-load.log");
        env.put("SEKISHO_JAVA_OPTS", "-Xshare:on -Xlog:class+load=info:file=" + loaded);
        Proc.Result sealed = Proc.run(
                List.of(
                        home.resolve("bin/sekisho").toString(),
                        "seal",
                        "--in",
                        plain.toString(),
                        "--out",
                        tmp.resolve("rows.csv.cms").toString(),
                        "--to",
                        pki.resolve("recipient.pem").toString(),
                        "--identity",
                        pki.resolve("sender.p12").toString()),
                env,
                tmp,
                tmp.resolve("bc-from-archive.log"),
                Duration.ofSeconds(60));
        assertEquals(0, sealed.code(), sealed.tail(4000));
        List<String> bc = Files.readAllLines(loaded, StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains(" org.bouncycastle."))
                .toList();
        long shared = bc.stream().filter(l -> l.contains("shared objects file")).count();
        assertTrue(
                bc.size() > 50 && shared * 10 >= bc.size() * 9,
                shared + " of " + bc.size() + " BouncyCastle classes from the archive (90% expected):\n"
                        + String.join("\n", bc));
    }

    /**
     * lib/ ships no signed jar (class-data sharing skips them), and unsigned-jars.sha256 says where each
     * unsigned one came from: the SHA-256 of the jar as published, the one Maven resolved for this build.
     */
    @Test
    void libHoldsNoSignedJarAndRecordsThePublishedJarsSha256() throws Exception {
        home = Release.unpack(tmp.resolve("opt"));
        Path lib = home.resolve("lib");
        List<String> recorded = Files.readAllLines(lib.resolve("unsigned-jars.sha256"), StandardCharsets.UTF_8).stream()
                .filter(l -> !l.startsWith("#"))
                .toList();
        List<String> names = recorded.stream().map(l -> l.substring(66)).toList();
        assertEquals(
                List.of("bcpkix-jdk18on", "bcprov-jdk18on", "bcutil-jdk18on"),
                names.stream().map(n -> n.replaceFirst("-[0-9.]+\\.jar$", "")).toList(),
                String.join("\n", recorded));
        try (var jars = Files.newDirectoryStream(lib, "*.jar")) {
            for (Path jar : jars) {
                try (java.util.jar.JarFile f = new java.util.jar.JarFile(jar.toFile())) {
                    List<String> signatures = f.stream()
                            .map(java.util.jar.JarEntry::getName)
                            .filter(n -> n.matches("(?i)META-INF/[^/]+\\.(SF|RSA|DSA|EC)"))
                            .toList();
                    assertEquals(List.of(), signatures, jar.getFileName() + " is still signed");
                }
            }
        }
        Path m2 = Path.of(System.getProperty("sekisho.m2", System.getProperty("user.home") + "/.m2/repository"));
        for (String line : recorded) {
            String name = line.substring(66);
            String artifact = name.replaceFirst("-([0-9.]+)\\.jar$", "");
            String version = name.substring(artifact.length() + 1, name.length() - ".jar".length());
            Path published = m2.resolve("org/bouncycastle/" + artifact + "/" + version + "/" + name);
            Assumptions.assumeTrue(Files.isRegularFile(published), "the published jar is in " + m2);
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            String actual = java.util.HexFormat.of().formatHex(sha.digest(Files.readAllBytes(published)));
            assertEquals(actual, line.substring(0, 64), name);
        }
    }

    private void bothSucceed(String name, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/sekisho").toString()));
        cmd.addAll(List.of(args));
        Process a = Proc.start(cmd, env, tmp, tmp.resolve(name + "-a.log"));
        Process b = Proc.start(cmd, env, tmp, tmp.resolve(name + "-b.log"));
        for (Process p : List.of(a, b)) {
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), name + ": " + String.join(" ", args));
        }
        assertEquals(0, a.exitValue(), log(name + "-a"));
        assertEquals(0, b.exitValue(), log(name + "-b"));
        assertEquals(log(name + "-a"), log(name + "-b"), "the same output from both");
        assertTrue(
                log(name + "-a").startsWith(args[0].equals("--version") ? "sekisho " : "使い方 / Usage:"),
                log(name + "-a"));
    }

    /** Waits for the background training to leave {@code count} archives and no partial one. */
    private static void awaitTrained(Path cds, int count) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> archives(cds, "sekisho-").size() == count
                        && archives(cds, ".training-").isEmpty());
    }

    private static List<Path> archives(Path dir, String prefix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix))
                    .sorted()
                    .toList();
        }
    }

    private String log(String name) throws IOException {
        return Files.readString(tmp.resolve(name + ".log"), StandardCharsets.UTF_8);
    }

    /**
     * With no Java anywhere the launcher looks (an empty folder mounted over /usr/lib/jvm in a mount
     * namespace of its own, a PATH whose java links point there), it says so in Japanese and English
     * and exits 2. Needs root for the mount; skipped otherwise.
     */
    @Test
    void withoutJavaTheLauncherSaysSoInJapaneseAndEnglish() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to mount over /usr/lib/jvm");
        home = Release.unpack(tmp.resolve("opt"));
        Path empty = Files.createDirectories(tmp.resolve("no-jvm"));
        Map<String, String> bare = new HashMap<>();
        bare.put("PATH", NoMavenPath.create(tmp.resolve("path")));
        bare.put("HOME", Files.createDirectories(tmp.resolve("home")).toString());
        bare.put("LANG", "C.UTF-8");
        Proc.Result r = Proc.run(
                List.of(
                        "unshare",
                        "--mount",
                        "--propagation",
                        "private",
                        "/bin/bash",
                        "-c",
                        "mount --bind \"$1\" /usr/lib/jvm && exec \"$2\" --version",
                        "bash",
                        empty.toString(),
                        home.resolve("bin/sekisho").toString()),
                bare,
                tmp,
                tmp.resolve("nojava.log"),
                Duration.ofSeconds(30));
        Assumptions.assumeFalse(
                r.out().contains("mount:") || r.out().contains("unshare:"), "no mount namespace here: " + r.out());
        assertEquals(2, r.code(), r.out());
        assertTrue(r.out().contains("Java 17 以上が見つかりません"), r.out());
        assertTrue(r.out().contains("no Java 17 or newer found"), r.out());
    }
}
