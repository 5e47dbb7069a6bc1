package jp.sekisho.gateway.support;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.sekisho.gateway.GatewayCommand;

/**
 * A gateway in its own JVM ({@code gateway --config FILE}), for tests where "another gateway
 * process" must be exactly that. Stopped with SIGTERM on close.
 */
public final class GatewayProcess implements GatewayNode, AutoCloseable {

    private static final int TAIL_LINES = 400;
    private static final Pattern LISTENER = Pattern.compile("(\\w[\\w-]*) https://127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final Map<String, Integer> ports;
    private final Deque<String> tail;

    private GatewayProcess(Process process, Map<String, Integer> ports, Deque<String> tail) {
        this.process = process;
        this.ports = ports;
        this.tail = tail;
    }

    /** Starts it and waits (up to 60 s) for its "listening" line, which names the bound ports. */
    public static GatewayProcess start(Path config) throws Exception {
        return start(config, List.of("-Xmx256m"));
    }

    /** As above with these JVM options (e.g. a smaller {@code -Xmx} to show a stream is not buffered). */
    public static GatewayProcess start(Path config, List<String> jvmOptions) throws Exception {
        Process p = spawn(config, jvmOptions);
        StringBuilder seen = new StringBuilder();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while (System.nanoTime() < deadline && (line = r.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.contains(" listening: ")) {
                Map<String, Integer> ports = new HashMap<>();
                Matcher m = LISTENER.matcher(line.substring(line.indexOf(" listening: ")));
                while (m.find()) {
                    ports.put(m.group(1), Integer.parseInt(m.group(2)));
                }
                Deque<String> tail = new ArrayDeque<>();
                Thread drain = new Thread(
                        () -> r.lines().forEach(l -> {
                            synchronized (tail) {
                                tail.addLast(l);
                                if (tail.size() > TAIL_LINES) {
                                    tail.removeFirst();
                                }
                            }
                        }),
                        "gateway-process-output");
                drain.setDaemon(true);
                drain.start();
                return new GatewayProcess(p, ports, tail);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("the gateway process did not start; it printed:\n" + seen);
    }

    /** Launches {@code gateway --config FILE} without waiting for it (output merged into its stdout). */
    public static Process spawn(Path config) throws java.io.IOException {
        return spawn(config, List.of("-Xmx256m"));
    }

    private static Process spawn(Path config, List<String> jvmOptions) throws java.io.IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                GatewayCommand.class.getName(),
                "--config",
                config.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** The last lines the gateway printed after its "listening" line (for failure messages). */
    public String output() {
        synchronized (tail) {
            return "--- gateway output (last " + tail.size() + " lines) ---\n" + String.join("\n", tail);
        }
    }

    /** Whether the gateway JVM is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The port of a listener named in the "listening" line. */
    public Integer port(String listener) {
        return ports.get(listener);
    }

    /** The gateway JVM's pid. */
    public long pid() {
        return process.pid();
    }

    /**
     * {@code kill -9} of the gateway JVM alone, as an operator's or the OOM killer's would be: what
     * it started outside its own process (the embedded PostgreSQL) keeps running.
     */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public String url(String listener, String path) {
        return "https://127.0.0.1:" + ports.get(listener) + path;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: its shutdown hook stops the gateway and closes the store
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
