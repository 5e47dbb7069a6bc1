package jp.sekisho.dist;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command as a separate process with exactly the given environment; output and errors together. */
final class Proc {

    /** What a finished command left: its exit code and its output (stdout and stderr merged). */
    record Result(int code, String out) {
        /** The last {@code n} characters of the output, for assertion messages. */
        String tail(int n) {
            return out.length() <= n ? out : "..." + out.substring(out.length() - n);
        }
    }

    /** JVM options for short command-line runs (not the gateway): quicker start, same behaviour. */
    static final String QUICK_CLI_OPTS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

    private Proc() {}

    /**
     * Runs {@code command} in {@code dir} with {@code env} as its whole environment, its output in
     * {@code log}; kills it after {@code timeout}.
     */
    static Result run(List<String> command, Map<String, String> env, Path dir, Path log, Duration timeout)
            throws IOException, InterruptedException {
        Process p = start(command, env, dir, log);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
            return new Result(-1, Files.readString(log, StandardCharsets.UTF_8) + "\n[killed after " + timeout + "]");
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    /** Starts {@code command} in the background (a gateway); its output goes to {@code log}. */
    static Process start(List<String> command, Map<String, String> env, Path dir, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().clear();
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Stops a background process with SIGTERM (as systemd does), then kills it after 30 s. */
    static int stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
        return p.exitValue();
    }

    /** Waits for the gateway's "listening" line in {@code log}; fails at once when the process ends instead. */
    static void awaitListening(Process p, Path log) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    String out = Files.readString(log, StandardCharsets.UTF_8);
                    if (!p.isAlive() && !out.contains(" listening: ")) {
                        throw new AssertionError("the gateway ended with " + p.exitValue() + ":\n" + out);
                    }
                    return out.contains(" listening: ");
                });
    }
}
