package jp.sekisho.console.browser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away HOME for one browser: Chromium on Linux keeps certificates in {@code
 * $HOME/.pki/nssdb}. It trusts the test CA for servers (so the gateway's certificate is checked, not
 * ignored) and holds at most one person's certificate and key, imported from their .p12 with NSS's own
 * tools ({@code certutil}, {@code pk12util} from Debian's libnss3-tools).
 */
record NssProfile(Path home) {

    /** Creates {@code dir/home} with the CA trusted and, unless {@code p12} is null, that identity. */
    static NssProfile create(Path dir, Path caPem, Path p12, char[] p12Password) throws IOException {
        Path home = dir.resolve("home");
        Path db = home.resolve(".pki/nssdb");
        Files.createDirectories(db);
        String nss = "sql:" + db;
        run(List.of("certutil", "-N", "-d", nss, "--empty-password"));
        // "C,,": a CA trusted to issue server certificates (the gateway's)
        run(List.of("certutil", "-A", "-d", nss, "-n", "sekisho-test-ca", "-t", "C,,", "-i", caPem.toString()));
        if (p12 != null) {
            run(List.of("pk12util", "-i", p12.toString(), "-d", nss, "-W", new String(p12Password)));
        }
        return new NssProfile(home);
    }

    private static void run(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException(
                    command.get(0) + " が見つかりません / not found: install Debian's libnss3-tools (.ci/run does)", e);
        }
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish in 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(command.get(0) + " failed (exit " + p.exitValue() + "): " + out);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
