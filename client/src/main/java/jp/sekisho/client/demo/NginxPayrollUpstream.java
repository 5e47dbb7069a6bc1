package jp.sekisho.client.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;

/**
 * The payroll web server as nginx from Debian, run in the foreground as the demo's child process with
 * a configuration the demo writes under {@code data/upstream/}: TLS with the contractor's certificate,
 * {@code ssl_verify_client on} against the city's CA, and only the gateway's certificate let through.
 */
final class NginxPayrollUpstream implements PayrollUpstream {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Process process;
    private final int port;
    private final Path conf;
    private final String version;

    private NginxPayrollUpstream(Process process, int port, Path conf, String version) {
        this.process = process;
        this.port = port;
        this.conf = conf;
        this.version = version;
    }

    static NginxPayrollUpstream start(Path nginx, DemoLayout d, int port) {
        Path prefix = d.upstream();
        Path conf = prefix.resolve("nginx.conf");
        try {
            stopLeftOver(conf);
            Files.createDirectories(prefix.resolve("tmp"));
            Files.writeString(conf, config(d, port), StandardCharsets.UTF_8);
            String version = run(List.of(nginx.toString(), "-v")).out().strip();
            // nginx -t names the line of a configuration it does not take; better than a silent exit
            Ran test = run(List.of(
                    nginx.toString(), "-t", "-q", "-p", prefix + "/", "-e", log(prefix), "-c", conf.toString()));
            if (test.code() != 0) {
                throw new CliException(
                        ExitCode.UNAVAILABLE,
                        "nginx がデモの設定を受け付けません / nginx refused the demo's configuration " + conf + ": "
                                + test.out().strip());
            }
            Process p = new ProcessBuilder(
                            nginx.toString(), "-p", prefix + "/", "-e", log(prefix), "-c", conf.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(prefix.resolve("nginx.out").toFile())
                    .start();
            NginxPayrollUpstream up = new NginxPayrollUpstream(p, port, conf, version.replace("nginx version: ", ""));
            up.awaitListening();
            return up;
        } catch (IOException e) {
            throw new CliException(
                    ExitCode.UNAVAILABLE,
                    "デモの給与 Web サーバーの nginx を起動できません / nginx could not start for the demo's payroll web server: " + e);
        }
    }

    private static String log(Path prefix) {
        return prefix.resolve("error.log").toString();
    }

    /** The configuration: one TLS server, the page and the upload endpoint, no file outside the demo folder. */
    static String config(DemoLayout d, int port) {
        Path up = d.upstream();
        return """
                # The Kurume payroll web server for `sekisho demo` (written by the demo; docs/relay.md).
                # Only the gateway reaches it: TLS with the city's CA for client certificates, and of those
                # only the gateway's own (its relay client certificate). On a real server, also firewall it
                # to the gateway's address (docs/relay.md, "upstream behind the relay only").
                daemon off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 256; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %1$s/tmp/body;
                    proxy_temp_path %1$s/tmp/proxy;
                    fastcgi_temp_path %1$s/tmp/fastcgi;
                    uwsgi_temp_path %1$s/tmp/uwsgi;
                    scgi_temp_path %1$s/tmp/scgi;
                    server_tokens off;
                    server {
                        listen 127.0.0.1:%2$d ssl;
                        server_name payroll.kurume.example;
                        ssl_protocols TLSv1.2 TLSv1.3;
                        ssl_certificate %3$s;
                        ssl_certificate_key %4$s;
                        ssl_client_certificate %5$s;   # the city's CA, which issued the gateway's client certificate
                        ssl_verify_client on;
                        ssl_verify_depth 1;
                        client_max_body_size 100m;
                        charset utf-8;
                        # of the city's certificates, only the gateway's
                        if ($ssl_client_s_dn != "%6$s") { return 403; }
                        location = %7$s {
                            default_type text/html;
                            return 200 '%8$s';
                        }
                        location = %9$s {
                            default_type text/plain;
                            if ($request_method != POST) { return 405; }
                            return 200 '%10$s';
                        }
                        location / { return 404; }
                    }
                }
                """.formatted(
                        up,
                        port,
                        d.upstreamCerts().resolve("payroll-web.pem"),
                        d.upstreamCerts().resolve("payroll-web.key"),
                        d.cert("ca", "pem"),
                        PayrollSite.GATEWAY_CLIENT_DN,
                        PayrollSite.PAGE_PATH,
                        quoted(PayrollSite.page()),
                        PayrollSite.UPLOAD_PATH,
                        quoted(PayrollSite.uploaded("$content_length")));
    }

    /** Text inside nginx's single quotes. */
    private static String quoted(String s) {
        return s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n");
    }

    /**
     * nginx takes its port in the master before it serves; there is no other signal to wait for, so
     * this polls the port (bounded) and gives up at once if nginx exited.
     */
    private void awaitListening() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new CliException(
                        ExitCode.UNAVAILABLE,
                        "nginx が待ち受けの前に終了しました（ポートが使用中なら --upstream-port で変えられます）"
                                + " / nginx exited (" + process.exitValue() + ") before listening on 127.0.0.1:" + port
                                + "; see " + conf.resolveSibling("error.log") + " (port taken? use --upstream-port)");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
        close();
        throw new CliException(
                ExitCode.UNAVAILABLE,
                "nginx が時間内に待ち受けを始めません / nginx did not listen on 127.0.0.1:" + port + " within "
                        + START_TIMEOUT.toSeconds() + " s");
    }

    private record Ran(int code, String out) {}

    /** Runs a short nginx command to its end: its exit code and what it printed. */
    /**
     * A demo killed with kill -9 leaves its nginx running (nginx has no parent-death signal), holding
     * the upstream port. The next demo stops an nginx started with this very configuration file, and
     * only that one, so it comes back by itself.
     */
    private static void stopLeftOver(Path conf) {
        String mine = conf.toAbsolutePath().toString();
        ProcessHandle.allProcesses()
                .filter(ph -> {
                    String line = commandLine(ph.pid());
                    return line.contains("nginx") && line.contains(mine);
                })
                .forEach(ph -> {
                    ph.destroy(); // SIGTERM: nginx's fast shutdown takes its workers along
                    try {
                        ph.onExit().get(5, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        ph.destroyForcibly();
                    }
                });
    }

    /**
     * A process's command line as /proc shows it. Not ProcessHandle.Info: nginx rewrites its title
     * ("nginx: master process … -c FILE") without the NUL separators, and the JDK then knows no
     * arguments at all.
     */
    private static String commandLine(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.ISO_8859_1)
                    .replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return ""; // gone meanwhile, or not ours to read
        }
    }

    private static Ran run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish");
            }
            return new Ran(p.exitValue(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running " + command.get(0));
        }
    }

    @Override
    public String url() {
        return "https://127.0.0.1:" + port;
    }

    @Override
    public String describe() {
        return version + " (Debian): " + url() + "、クライアント証明書が必要 / client certificate required: "
                + PayrollSite.GATEWAY_CLIENT_DN + "、設定 / configuration " + conf;
    }

    /** SIGTERM: nginx's fast shutdown; the master takes its worker with it. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
