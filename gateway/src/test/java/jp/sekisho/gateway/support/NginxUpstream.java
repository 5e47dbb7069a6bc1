package jp.sekisho.gateway.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.certs.testing.TestPki;

/**
 * A real upstream web system for relay tests: Debian's {@code /usr/sbin/nginx} in the foreground
 * with a configuration written into its own folder (pid, logs and temporary files there too), on a
 * free loopback port, speaking TLS with a server certificate from {@code serverCa} and requiring a
 * client certificate from {@code clientCaFile} (the gateway's CA: only the gateway's client
 * certificate gets in). What it serves:
 * <ul>
 *   <li>{@code /} a Japanese index page, {@code /payroll/} the payroll pages ({@link #PAYROLL_PAGE});
 *   <li>{@code /big/FILE} files written by {@link #writeBig} (non-compressible, SHA-256 returned);
 *   <li>{@code /slow/FILE} the same files at {@link #SLOW_RATE} bytes/s ({@code limit_rate});
 *   <li>{@code /upload/FILE} PUT (nginx's DAV module writes the body to {@link #uploaded});
 *   <li>{@code /echo-headers} one line: X-Forwarded-For|Forwarded|Host|Connection|client DN as nginx saw them.
 * </ul>
 * Every failure message carries nginx's error.log; {@link #close} stops the master and its workers.
 */
public final class NginxUpstream implements AutoCloseable {

    public static final String NGINX = "/usr/sbin/nginx";
    public static final String INDEX_TEXT = "久留米市 給与システム（委託先データセンター）";
    public static final String PAYROLL_PAGE = "給与明細一覧 / payroll list";
    public static final int SLOW_RATE = 64 * 1024;

    private final Path dir;
    private final int port;
    private final Credential server;
    private final Process process;

    private NginxUpstream(Path dir, int port, Credential server, Process process) {
        this.dir = dir;
        this.port = port;
        this.server = server;
        this.process = process;
    }

    /**
     * Starts nginx in {@code dir} with a server certificate issued now by {@code serverCa} (for
     * 127.0.0.1, localhost and payroll.kurume.example), trusting only {@code clientCaFile} for
     * client certificates. For the UPSTREAM_TLS_FAILED case pass a CA the route does not pin.
     */
    public static NginxUpstream start(Path dir, TestPki serverCa, Path clientCaFile) throws Exception {
        Procs.require("nginx");
        Files.createDirectories(dir.resolve("logs"));
        Files.createDirectories(dir.resolve("tmp"));
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(root.resolve("payroll"));
        Files.createDirectories(root.resolve("big"));
        Files.createDirectories(root.resolve("upload"));
        Files.writeString(
                root.resolve("index.html"),
                "<!doctype html><html lang=\"ja\"><meta charset=\"utf-8\"><title>給与</title><h1>" + INDEX_TEXT
                        + "</h1></html>\n");
        Files.writeString(
                root.resolve("payroll/index.html"),
                "<!doctype html><html lang=\"ja\"><meta charset=\"utf-8\"><h1>" + PAYROLL_PAGE + "</h1></html>\n");
        Files.writeString(root.resolve("payroll/list.html"), PAYROLL_PAGE + "\n");
        Credential server = serverCa.server(
                "upstream-" + dir.getFileName(), List.of("localhost", "payroll.kurume.example"), List.of("127.0.0.1"));
        // A free port is only free until someone takes it: a few tries when nginx finds it taken.
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            Files.writeString(dir.resolve("nginx.conf"), config(dir, port, server, clientCaFile));
            Files.deleteIfExists(dir.resolve("logs/error.log"));
            Process p = new ProcessBuilder(
                            NGINX,
                            "-p",
                            dir.toString(),
                            "-c",
                            dir.resolve("nginx.conf").toString(),
                            "-g",
                            "daemon off;",
                            "-e",
                            dir.resolve("logs/error.log").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("logs/stdout.log").toFile())
                    .start();
            NginxUpstream n = new NginxUpstream(dir, port, server, p);
            try {
                await().atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> n.accepts() || !p.isAlive());
                if (p.isAlive()) {
                    return n;
                }
                last = new IllegalStateException("nginx exited (" + p.exitValue() + ")\n" + n.errorLog());
            } catch (RuntimeException e) {
                n.close();
                throw new IllegalStateException("nginx did not listen on " + port + "\n" + n.errorLog(), e);
            }
            n.close();
            if (!n.errorLog().contains("Address already in use")) {
                break;
            }
        }
        throw last;
    }

    private static String config(Path dir, int port, Credential server, Path clientCaFile) {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path tmp = dir.resolve("tmp");
        return (root ? "user root;\n" : "") // workers as root write the test's folder; otherwise ours already
                + "worker_processes 2;\n"
                + "pid " + dir.resolve("nginx.pid") + ";\n"
                + "error_log " + dir.resolve("logs/error.log") + " info;\n"
                + "events { worker_connections 512; }\n"
                + "http {\n"
                + "  access_log " + dir.resolve("logs/access.log") + ";\n"
                + "  client_body_temp_path " + tmp.resolve("body") + ";\n"
                + "  proxy_temp_path " + tmp.resolve("proxy") + ";\n"
                + "  fastcgi_temp_path " + tmp.resolve("fastcgi") + ";\n"
                + "  uwsgi_temp_path " + tmp.resolve("uwsgi") + ";\n"
                + "  scgi_temp_path " + tmp.resolve("scgi") + ";\n"
                + "  types { text/html html; application/octet-stream bin; }\n"
                + "  default_type application/octet-stream;\n"
                + "  charset utf-8;\n"
                + "  sendfile on;\n"
                + "  keepalive_requests 100000;\n"
                + "  server {\n"
                + "    listen 127.0.0.1:" + port + " ssl;\n"
                + "    server_name payroll.kurume.example localhost 127.0.0.1;\n"
                + "    ssl_certificate " + server.certificateFile() + ";\n"
                + "    ssl_certificate_key " + server.keyFile() + ";\n"
                + "    ssl_client_certificate " + clientCaFile + ";\n"
                + "    ssl_verify_client on;\n"
                + "    ssl_verify_depth 2;\n"
                + "    ssl_protocols TLSv1.2 TLSv1.3;\n"
                + "    root " + dir.resolve("root") + ";\n"
                + "    location / { index index.html; }\n"
                + "    location /slow/ { alias " + dir.resolve("root/big") + "/; limit_rate " + SLOW_RATE + "; }\n"
                + "    location /upload/ {\n"
                + "      dav_methods PUT;\n"
                + "      create_full_put_path on;\n"
                + "      client_max_body_size 0;\n"
                + "      client_body_buffer_size 1m;\n"
                + "    }\n"
                + "    location = /echo-headers {\n"
                + "      default_type text/plain;\n"
                + "      return 200 \"$http_x_forwarded_for|$http_forwarded|$host|$http_connection|$ssl_client_s_dn\\n\";\n"
                + "    }\n"
                + "  }\n"
                + "}\n";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    /** {@code https://127.0.0.1:PORT}: what a relay route's {@code upstream.url} names. */
    public String url() {
        return "https://127.0.0.1:" + port;
    }

    /** The certificate nginx presents (its issuer's ca.pem is what a route pins). */
    public Credential serverCredential() {
        return server;
    }

    /**
     * Writes {@code root/big/NAME} ({@code /big/NAME}, {@code /slow/NAME}): {@code size} bytes of a
     * random 1 MiB block, each MiB stamped with its index so that no two MiB are alike. Returns the
     * SHA-256 (hex) of what was written.
     */
    public String writeBig(String name, long size) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = pattern(size, name.hashCode());
                OutputStream out = Files.newOutputStream(dir.resolve("root/big").resolve(name))) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
                out.write(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The file a PUT to {@code /upload/NAME} left. */
    public Path uploaded(String name) {
        return dir.resolve("root/upload").resolve(name);
    }

    /** nginx's error.log (and its stdout), for failure messages. */
    public String errorLog() {
        StringBuilder b = new StringBuilder("--- nginx error.log (" + dir + ") ---\n");
        for (String f : List.of("logs/error.log", "logs/stdout.log")) {
            try {
                Path p = dir.resolve(f);
                if (Files.exists(p)) {
                    String s = Files.readString(p, StandardCharsets.UTF_8);
                    b.append(s.length() > 8000 ? "…" + s.substring(s.length() - 8000) : s);
                }
            } catch (IOException e) {
                b.append("<cannot read ").append(f).append(": ").append(e).append(">\n");
            }
        }
        return b.toString();
    }

    /** nginx's access.log: one line per request it served. */
    public List<String> accessLog() throws IOException {
        Path p = dir.resolve("logs/access.log");
        return Files.exists(p) ? Files.readAllLines(p, StandardCharsets.UTF_8) : List.of();
    }

    /** The master and its workers, as running now. */
    public List<ProcessHandle> processes() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(process.toHandle()), process.descendants())
                .toList();
    }

    /** Stops the master (SIGTERM: fast shutdown, workers included), then kills whatever is left. */
    @Override
    public void close() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    /** {@code size} bytes: a random 1 MiB block, its first 8 bytes replaced by the MiB's index. */
    public static InputStream pattern(long size, long seed) {
        return new InputStream() {
            private final byte[] block = new byte[1 << 20];
            private long pos;

            {
                new Random(seed).nextBytes(block);
            }

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= size) {
                    return -1;
                }
                int at = (int) (pos & ((1 << 20) - 1));
                if (at == 0) {
                    long index = pos >>> 20;
                    for (int i = 0; i < 8; i++) {
                        block[i] = (byte) (index >>> (8 * i));
                    }
                }
                int n = (int) Math.min(Math.min(len, size - pos), block.length - at);
                System.arraycopy(block, at, b, off, n);
                pos += n;
                return n;
            }
        };
    }
}
