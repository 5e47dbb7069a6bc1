package jp.sekisho.certs.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real binary (openssl, curl, ...) for interop tests, with a timeout, and returns its exit
 * code and combined output. Fails with a clear message when the binary is missing.
 */
public final class Command {

    /** What the process did: exit code and stdout+stderr. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    private Command() {
    }

    public static Result run(List<String> command) {
        return run(command, 60);
    }

    public static Result run(List<String> command, int timeoutSeconds) {
        Path out = null;
        try {
            out = Files.createTempFile("cmd", ".out");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command.get(0) + " (is it installed? .ci/run installs the test tools): "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // temp file cleanup only
                }
            }
        }
    }

    public static Result run(String... command) {
        return run(List.of(command));
    }
}
