package jp.sekisho.client.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line in a JVM of its own, for tests that kill or freeze it (kill -9 mid-upload,
 * SIGSTOP): the test's own Java and class path, stdout and stderr together in {@code log}.
 */
public final class ChildCli {

    private ChildCli() {}

    /** Starts {@code sekisho ARGS...} in a child JVM. */
    public static Process start(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "jp.sekisho.client.Sekisho"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /** Sends {@code sig} (KILL, STOP, CONT, TERM, …) to {@code pid} with the kill command. */
    public static void signal(String sig, long pid) throws Exception {
        Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(pid))
                .inheritIO()
                .start();
        assertEquals(0, k.waitFor(), "kill -" + sig);
    }
}
