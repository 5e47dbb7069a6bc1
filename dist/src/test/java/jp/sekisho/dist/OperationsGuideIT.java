package jp.sekisho.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.sekisho.dist.GuideBlocks.Block;
import jp.sekisho.dist.GuideBlocks.Marker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/operations.md followed as written: every {@code sh} block in order, each in a fresh bash
 * after the settings block, from the release tarball to a gateway on the real PostgreSQL at
 * 127.0.0.1:5432 and a first transfer, then CRL, revocation, renewal, backup, the restore drill and
 * an upgrade. The settings get temporary folders instead of /opt, /etc and /var, a database and
 * roles named for this run, free ports and 127.0.0.1; the PATH has no Maven.
 *
 * <p>Markers (the guide's first section documents them): {@code #@ root} blocks run only when this
 * test runs as root, and then the run-as user is a real one made by the guide's useradd (named for
 * this run, removed afterwards) and the gateway runs as that user; {@code #@ systemd} blocks are done
 * by {@link #systemd}, which knows each line the guide uses and fails on any other;
 * {@code #@ systemd-analyze} blocks run where systemd-analyze is installed.
 */
class OperationsGuideIT {

    private static final Pattern SYSTEMCTL =
            Pattern.compile("systemctl (enable --now|start|restart|stop) ([a-z.-]+(?: [a-z.-]+)*)");

    @TempDir
    Path tmp;

    private final boolean root = "root".equals(System.getProperty("user.name"));
    private final String suffix = randomSuffix();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Block settings;
    private Process gateway;
    private int gatewayStarts;
    private final StringBuilder skipped = new StringBuilder();

    private static String randomSuffix() {
        byte[] b = new byte[4];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    // about 3 minutes on an idle two-core machine; the bound leaves room for a busy CI host
    @Timeout(value = 9, unit = TimeUnit.MINUTES)
    void theGuideTakesABareHostToARunningGatewayOnPostgresqlAndAFirstTransfer() throws Exception {
        List<Block> blocks =
                GuideBlocks.read(Path.of(System.getProperty("sekisho.operationsDoc", "../docs/operations.md")));
        settings = blocks.get(0);
        assertEquals(Marker.SETTINGS, settings.marker(), "the guide starts with its settings block");
        assertEquals(
                1, blocks.stream().filter(b -> b.marker() == Marker.SETTINGS).count(), "one settings block");
        if (root) {
            // the run-as user must reach the release and its folders under the test's own folder
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path tarball = Release.tarball().toAbsolutePath();
        env.put("PATH", NoMavenPath.create(tmp.resolve("path")));
        env.put("HOME", Files.createDirectories(tmp.resolve("home")).toString());
        env.put("LANG", "C.UTF-8");
        // no class-data-sharing training in the background: it would write into the temporary
        // folder while JUnit deletes it (ReleaseTarballIT tests the archive on its own)
        env.put("SEKISHO_CDS", "0");
        env.put("VERSION", Release.version());
        env.put("TARBALL", tarball.toString());
        env.put("PREFIX", tmp.resolve("opt/sekisho").toString());
        env.put("ETC", tmp.resolve("etc/sekisho").toString());
        env.put("DATA", tmp.resolve("var/lib/sekisho").toString());
        env.put("SYSTEMD_DIR", tmp.resolve("etc/systemd/system").toString());
        env.put("BACKUP", tmp.resolve("var/backups/sekisho").toString());
        env.put("SEKISHO_USER", root ? "skops" + suffix : System.getProperty("user.name"));
        env.put("GATEWAY_DNS", "localhost");
        env.put("GATEWAY_IP", "127.0.0.1");
        env.put("BIND", "127.0.0.1");
        env.put("TRANSFER_PORT", Integer.toString(freePort()));
        env.put("ADMIN_PORT", Integer.toString(freePort()));
        env.put("HEALTH_PORT", Integer.toString(freePort()));
        env.put("ADMIN_ALLOW", "127.0.0.0/8");
        env.put("DB_HOST", "127.0.0.1");
        env.put("DB_PORT", "5432");
        env.put("DB_NAME", "sekisho_ops_" + suffix);
        env.put("DB_OWNER_ROLE", "sekisho_owner_" + suffix);
        env.put("DB_APP_ROLE", "sekisho_app_" + suffix);
        env.put("PG_SUPERUSER", "postgres");
        env.put("WORK", tmp.resolve("work").toString());
        // the guide's commands are some thirty short JVMs: C1 only and the serial collector start
        // them faster on a busy machine (the gateway gets the unit's EnvironmentFile instead)
        env.put("SEKISHO_JAVA_OPTS", Proc.QUICK_CLI_OPTS);
        Proc.Result mvn = Proc.run(
                List.of("/bin/bash", "-c", "command -v mvn"),
                env,
                tmp,
                tmp.resolve("which.log"),
                Duration.ofSeconds(10));
        assertNotEquals(0, mvn.code(), "mvn is not on the guide's PATH: " + mvn.out());
        try {
            for (Block b : blocks.subList(1, blocks.size())) {
                switch (b.marker()) {
                    case NONE -> shell(b);
                    case ROOT -> {
                        if (root) {
                            shell(b);
                        } else {
                            skipped.append("line ").append(b.line()).append(" (#@ root, not root)\n");
                        }
                    }
                    case SYSTEMD_ANALYZE -> {
                        if (Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))) {
                            shell(b);
                        } else {
                            skipped.append("line ").append(b.line()).append(" (no systemd-analyze)\n");
                        }
                    }
                    case SYSTEMD -> systemd(b);
                    case SETTINGS -> fail("a second settings block at line " + b.line());
                }
            }
            assertTrue(gatewayStarts >= 3, "the guide starts, restarts and upgrades the gateway: " + gatewayStarts);
            System.out.println(
                    "docs/operations.md: every sh block ran; skipped: " + (skipped.isEmpty() ? "none" : skipped));
        } finally {
            if (gateway != null && gateway.isAlive()) {
                Proc.stop(gateway);
            }
            cleanUp();
        }
    }

    /** Runs a block in a fresh bash after the settings block; it must exit 0. */
    private Proc.Result shell(Block b) throws Exception {
        Path script = tmp.resolve("block-" + b.line() + ".sh");
        Files.writeString(script, "set -euo pipefail\n" + settings.text() + "\n" + b.text(), StandardCharsets.UTF_8);
        Proc.Result r = Proc.run(
                List.of("/bin/bash", script.toString()),
                env,
                tmp,
                tmp.resolve("block-" + b.line() + ".log"),
                Duration.ofMinutes(2));
        assertEquals(
                0,
                r.code(),
                "docs/operations.md:" + b.line() + " failed:\n" + b.text() + "\n--- output:\n" + r.tail(6000)
                        + (gateway == null ? "" : "\n--- gateway:\n" + gatewayLog()));
        return r;
    }

    /** What systemd would do for each line of a {@code #@ systemd} block. */
    private void systemd(Block b) throws Exception {
        Path units = Path.of(env.get("SYSTEMD_DIR"));
        for (String line : b.commands()) {
            String t = line.strip();
            Matcher m = SYSTEMCTL.matcher(t);
            if (t.isEmpty() || t.equals("systemctl daemon-reload")) {
                // nothing to reload: each start reads the installed unit file afresh
            } else if (m.matches()) {
                for (String unit : m.group(2).split(" ")) {
                    act(m.group(1), unit, units);
                }
            } else if (t.equals("systemctl list-timers sekisho-crl.timer")) {
                UnitProcess timer = UnitProcess.read(units.resolve("sekisho-crl.timer"));
                assertEquals(List.of("weekly"), timer.values("OnCalendar"), "the CRL timer's schedule");
            } else if (t.startsWith("journalctl -u sekisho-gateway.service")) {
                String log = gatewayLog();
                assertTrue(log.contains(" listening: "), "the gateway's log: " + log);
                System.out.println("journalctl (the gateway's output):\n" + log);
            } else {
                fail("docs/operations.md:" + b.line() + ": the test does not know how to do '" + t
                        + "' without systemd; teach OperationsGuideIT.systemd or change the guide");
            }
        }
    }

    private void act(String verb, String unit, Path units) throws Exception {
        switch (unit) {
            case "sekisho-gateway.service" -> {
                if (!verb.equals("start") && !verb.equals("enable --now") && gateway != null) {
                    int code = Proc.stop(gateway);
                    List<String> success = UnitProcess.read(units.resolve(unit)).values("SuccessExitStatus");
                    assertTrue(
                            code == 0 || success.contains(Integer.toString(code)),
                            "the gateway stops cleanly on SIGTERM (exit " + code + ", unit's SuccessExitStatus "
                                    + success + "):\n" + gatewayLog());
                    gateway = null;
                }
                if (!verb.equals("stop")) {
                    startGateway(UnitProcess.read(units.resolve(unit)));
                }
            }
            case "sekisho-crl.timer" -> {
                // the timer's job, once: the service's commands as the unit says (root, no User=)
                assertEquals("enable --now", verb);
                UnitProcess crl = UnitProcess.read(units.resolve("sekisho-crl.service"));
                Map<String, String> e = crl.environment(env);
                for (String key : List.of("ExecStart", "ExecStartPost")) {
                    for (List<String> cmd : crl.commands(key, null)) {
                        Proc.Result r =
                                Proc.run(cmd, e, crl.workingDirectory(), tmp.resolve("crl.log"), Duration.ofMinutes(1));
                        assertEquals(0, r.code(), "sekisho-crl.service " + key + " " + cmd + ":\n" + r.out());
                    }
                }
            }
            default -> fail("no unit " + unit + " in the release");
        }
    }

    private void startGateway(UnitProcess unit) throws Exception {
        String user = unit.user();
        assertEquals(env.get("SEKISHO_USER"), user, "the installed unit runs as the guide's user");
        gatewayStarts++;
        Path log = tmp.resolve("gateway-" + gatewayStarts + ".log");
        gateway = Proc.start(unit.execStart(root ? user : null), unit.environment(env), unit.workingDirectory(), log);
        Proc.awaitListening(gateway, log);
    }

    private String gatewayLog() throws IOException {
        Path log = tmp.resolve("gateway-" + gatewayStarts + ".log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no gateway started)";
    }

    /** Drops this run's databases and roles, and its user when the guide made one. */
    private void cleanUp() throws Exception {
        String db = env.get("DB_NAME");
        String sql = "DROP DATABASE IF EXISTS \"" + db + "\" WITH (FORCE);\n"
                + "DROP DATABASE IF EXISTS \"" + db + "_restore_drill\" WITH (FORCE);\n"
                + "DROP ROLE IF EXISTS \"" + env.get("DB_APP_ROLE") + "\";\n"
                + "DROP ROLE IF EXISTS \"" + env.get("DB_OWNER_ROLE") + "\";\n";
        Files.writeString(tmp.resolve("cleanup.sql"), sql, StandardCharsets.UTF_8);
        Proc.Result r = Proc.run(
                List.of(
                        "psql",
                        "-h",
                        "127.0.0.1",
                        "-U",
                        "postgres",
                        "-d",
                        "postgres",
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-f",
                        tmp.resolve("cleanup.sql").toString()),
                env,
                tmp,
                tmp.resolve("cleanup.log"),
                Duration.ofMinutes(1));
        assertEquals(0, r.code(), "clean-up: " + r.out());
        if (root) {
            Proc.run(
                    List.of("userdel", env.get("SEKISHO_USER")),
                    env,
                    tmp,
                    tmp.resolve("userdel.log"),
                    Duration.ofSeconds(30));
        }
    }
}
