package jp.sekisho.client.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The Kurume payroll web server behind the demo's relay route: HTTPS on 127.0.0.1 that only the
 * gateway's client certificate opens. nginx from Debian when it is installed, else a small JDK server,
 * so that the demo runs on a fresh machine too.
 */
sealed interface PayrollUpstream extends AutoCloseable permits NginxPayrollUpstream, JdkPayrollUpstream {

    /** Which server the demo runs ({@code --relay-upstream}). */
    enum Kind {
        /** nginx when it is installed, else the JDK server. */
        AUTO,
        NGINX,
        JDK;

        static Kind parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    /** {@code https://127.0.0.1:PORT}: scheme, host and port only, as the routes file wants it. */
    String url();

    /** One line for the demo's output: which server, and where its configuration is. */
    String describe();

    @Override
    void close();

    /** Starts the server {@code kind} names on 127.0.0.1:{@code port}, with the demo's PKI in {@code d}. */
    static PayrollUpstream start(Kind kind, DemoLayout d, int port) {
        Optional<Path> nginx = kind == Kind.JDK ? Optional.empty() : findNginx();
        if (kind == Kind.NGINX && nginx.isEmpty()) {
            throw jp.sekisho.cli.CliException.usage(
                    "--relay-upstream nginx: nginx が入っていません（apt-get install nginx）。auto か jdk も使えます"
                            + " / nginx is not installed (apt-get install nginx), or use auto / jdk");
        }
        return nginx.<PayrollUpstream>map(n -> NginxPayrollUpstream.start(n, d, port))
                .orElseGet(() -> JdkPayrollUpstream.start(d, port));
    }

    /** nginx on the PATH, or where Debian puts it (/usr/sbin is not on every user's PATH). */
    static Optional<Path> findNginx() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : (path + ":/usr/sbin:/usr/local/sbin").split(":")) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, "nginx");
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }
}
