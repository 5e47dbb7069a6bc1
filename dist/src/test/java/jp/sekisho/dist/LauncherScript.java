package jp.sekisho.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One function of the launchers' sekisho-java.sh, run through bash as both launchers source it. */
final class LauncherScript {

    private static final Path SCRIPT = Path.of("src/lib/sekisho-java.sh").toAbsolutePath();

    /** The variables the script reads from the launcher's environment, cleared before {@code env} is set. */
    private static final List<String> INHERITED =
            List.of("SEKISHO_JAVA_OPTS", "SEKISHO_CDS", "JAVA_MAJOR", "JAVA", "CDS_KIND");

    private LauncherScript() {}

    /**
     * What {@code function args...} prints, under the launchers' {@code set -euo pipefail}, with
     * {@code env} set and the launch line a launcher would have ({@code launch}) defined.
     */
    static String call(String function, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "bash",
                "-c",
                "set -euo pipefail; . \"$0\"; launch=(-jar sekisho.jar); " + function + " \"$@\"",
                SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        INHERITED.forEach(pb.environment()::remove);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(function + " did not finish");
        }
        assertEquals(0, p.exitValue(), function + " failed: " + out);
        return out;
    }
}
