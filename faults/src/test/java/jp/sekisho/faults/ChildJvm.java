package jp.sekisho.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real process of ours in its own JVM (the gateway, {@code send}, {@code receive}), its output in
 * a log file, so that it can be frozen (SIGSTOP), thawed (SIGCONT) and killed (SIGKILL) like any
 * process an operator runs.
 */
final class ChildJvm implements AutoCloseable {

    /**
     * The test's class path, except that a jar naming more jars in its manifest (the client's
     * executable sekisho.jar, packaged in {@code mvn verify}) is replaced by its classes folder:
     * its lib/ copies would put every library twice on the path (two PostgreSQL binaries, which
     * the embedded store refuses).
     */
    static final String CLASS_PATH = java.util.Arrays.stream(
                    System.getProperty("java.class.path").split(java.io.File.pathSeparator))
            .map(ChildJvm::withoutManifestClassPath)
            .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));

    final String name;
    final Path log;
    private final Process process;

    private ChildJvm(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    static ChildJvm start(String name, Path log, String mainClass, List<String> args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", CLASS_PATH, mainClass));
        cmd.addAll(args);
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        return new ChildJvm(name, log, p);
    }

    private static String withoutManifestClassPath(String entry) {
        Path classes = Path.of(entry).resolveSibling("classes");
        if (!entry.endsWith(".jar") || !Files.isDirectory(classes)) {
            return entry;
        }
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(entry)) {
            java.util.jar.Manifest m = jar.getManifest();
            boolean names = m != null && m.getMainAttributes().getValue("Class-Path") != null;
            return names ? classes.toString() : entry;
        } catch (IOException e) {
            return entry;
        }
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL, at once (no process to launch first), then reaped. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    void freeze() {
        Signals.send("STOP", pid());
    }

    void thaw() {
        Signals.send("CONT", pid());
    }

    /** Waits for its end; null when it did not end in time. */
    Integer awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** Its exit code, or a failure naming what it printed when it did not end in time. */
    int exitCode(Duration timeout) throws InterruptedException {
        Integer code = awaitExit(timeout);
        if (code == null) {
            kill9();
            throw new AssertionError(name + " did not end within " + timeout + ":\n" + tail());
        }
        return code;
    }

    String output() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** The last lines it printed, for failure messages. */
    String tail() {
        List<String> lines = output().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
    }

    /** SIGTERM (thawed first), then SIGKILL after 20 s. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            thaw();
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill9();
            }
        }
    }
}
