package jp.sekisho.faults;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * HAProxy ({@code haproxy -db -f CFG}) as a child process, its configuration made from the release's
 * own {@code dist/src/etc/haproxy.cfg} with loopback addresses put in, so the documented example
 * is the one tested. Its stats socket tells each server's state and its open connections.
 */
final class Haproxy implements AutoCloseable {

    /** The shipped example, as docs/scaling.md includes it. */
    static final Path SHIPPED = Path.of("..", "dist", "src", "etc", "haproxy.cfg");
    /** The balancer's own address towards the nodes: what they trust for PROXY v2, never a client's. */
    static final String SOURCE = "127.0.0.3";

    final Path cfg;
    final Path log;
    private final Path socket;
    private final Process process;

    private Haproxy(Path cfg, Path log, Path socket, Process process) {
        this.cfg = cfg;
        this.log = log;
        this.socket = socket;
        this.process = process;
    }

    /** One node as HAProxy sees it: the transfer, admin and health ports on 127.0.0.1. */
    record Node(String name, int transfer, int admin, int health) {}

    /** The shipped file with these ports put in; fails when a line the test relies on is gone. */
    static String config(Path dir, int transfer, int admin, Node gw1, Node gw2) throws IOException {
        String s = Files.readString(SHIPPED, StandardCharsets.UTF_8);
        Map<String, String> put = new LinkedHashMap<>();
        put.put("stats socket /run/haproxy/admin.sock", "stats socket " + dir.resolve("admin.sock"));
        put.put("bind 0.0.0.0:8443", "bind 127.0.0.1:" + transfer);
        put.put("bind 0.0.0.0:9443", "bind 127.0.0.1:" + admin);
        put.put("10.0.0.11:8443 port 9444", "127.0.0.1:" + gw1.transfer() + " port " + gw1.health());
        put.put("10.0.0.12:8443 port 9444", "127.0.0.1:" + gw2.transfer() + " port " + gw2.health());
        put.put("10.0.0.11:9443 port 9444", "127.0.0.1:" + gw1.admin() + " port " + gw1.health());
        put.put("10.0.0.12:9443 port 9444", "127.0.0.1:" + gw2.admin() + " port " + gw2.health());
        put.put(
                "default-server send-proxy-v2 check inter 1s fall 2 rise 2",
                "default-server send-proxy-v2 check inter 1s fall 2 rise 2 source " + SOURCE);
        for (Map.Entry<String, String> e : put.entrySet()) {
            if (!s.contains(e.getKey())) {
                throw new AssertionError(SHIPPED + " no longer holds \"" + e.getKey() + "\": update the test with it");
            }
            s = s.replace(e.getKey(), e.getValue());
        }
        return s;
    }

    static Haproxy start(Path dir, int transfer, int admin, Node gw1, Node gw2) throws IOException {
        Files.createDirectories(dir);
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, config(dir, transfer, admin, gw1, gw2), StandardCharsets.UTF_8);
        Path log = dir.resolve("haproxy.log");
        Process p = new ProcessBuilder("haproxy", "-db", "-f", cfg.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Haproxy h = new Haproxy(cfg, log, dir.resolve("admin.sock"), p);
        await("haproxy's stats socket")
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> !p.isAlive() || Files.exists(h.socket));
        if (!p.isAlive()) {
            throw new AssertionError("haproxy ended at start-up:\n" + h.output());
        }
        return h;
    }

    /** {@code haproxy -c -f FILE}: the exit code and what it printed. */
    static FaultWorld.Cli check(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("haproxy", "-c", "-f", file.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new FaultWorld.Cli(p.waitFor(), out, "");
    }

    /** A stats socket command's answer. */
    String command(String cmd) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((cmd + "\n").getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (ch.read(buf) >= 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** A server's row of {@code show stat}: its status (UP, DOWN, DRAIN, ...), current sessions, bytes from clients. */
    record Server(String status, int sessions, long bytesIn) {}

    Server server(String backend, String name) throws IOException {
        List<String> lines = command("show stat").lines().toList();
        List<String> head = Arrays.asList(lines.get(0).replaceFirst("^# ", "").split(","));
        int status = head.indexOf("status");
        int scur = head.indexOf("scur");
        int bin = head.indexOf("bin");
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",", -1);
            if (f.length > status && f[0].equals(backend) && f[1].equals(name)) {
                return new Server(f[status], Integer.parseInt(f[scur]), Long.parseLong(f[bin]));
            }
        }
        throw new AssertionError("no server " + backend + "/" + name + " in show stat:\n" + lines);
    }

    /** Waits until the server's status starts with STATE (UP, DOWN) in every backend. */
    void awaitState(String name, String state, Duration atMost) {
        await("haproxy: " + name + " " + state)
                .atMost(atMost)
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> server("transfer", name).status().startsWith(state)
                        && server("admin", name).status().startsWith(state));
    }

    /** Drains (no new connections, those open continue) or readies a node in every backend, as an operator does. */
    void setState(String name, String state) throws IOException {
        for (String backend : List.of("transfer", "admin")) {
            String answer = command("set server " + backend + "/" + name + " state " + state)
                    .trim();
            if (!answer.isEmpty()) {
                throw new AssertionError("set server " + backend + "/" + name + " state " + state + ": " + answer);
            }
        }
    }

    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
