package jp.sekisho.certs.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real curl, openssl, sslscan and haproxy binaries with timeouts. */
public final class Procs {

    public record Result(int exit, String out) {
        public boolean ok() {
            return exit == 0;
        }
    }

    private Procs() {}

    /** Fails (never skips) when a binary the acceptance tests need is missing. */
    public static void require(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, binary))) {
                return;
            }
        }
        if (Files.isExecutable(Path.of("/usr/sbin", binary))) {
            return;
        }
        fail(binary + " is not installed: run .ci/run (which installs curl, openssl, sslscan and haproxy) "
                + "or apt-get install -y " + binary);
    }

    public static String which(String binary) {
        for (String dir : (System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin").split(":")) {
            if (Files.isExecutable(Path.of(dir, binary))) {
                return Path.of(dir, binary).toString();
            }
        }
        return binary;
    }

    public static Result runWithInput(int timeoutSeconds, String stdin, String... command) {
        try {
            List<String> cmd = new ArrayList<>(List.of(command));
            cmd.set(0, which(cmd.get(0)));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            StringBuilder out = new StringBuilder();
            Thread reader = new Thread(() -> {
                try {
                    out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    out.append("<read error ").append(e).append('>');
                }
            });
            reader.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                reader.join(2000);
                return new Result(
                        -1, out + "\n<timed out after " + timeoutSeconds + " s: " + String.join(" ", cmd) + ">");
            }
            reader.join(5000);
            return new Result(p.exitValue(), out.toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command[0] + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Result run(int timeoutSeconds, String... command) {
        return runWithInput(timeoutSeconds, null, command);
    }

    /** With the default timeout of 60 s. */
    public static Result run(String... command) {
        return run(60, command);
    }

    public static Result run(java.util.List<String> command) {
        return run(command, 60);
    }

    public static Result run(java.util.List<String> command, int timeoutSeconds) {
        return run(timeoutSeconds, command.toArray(String[]::new));
    }
}
