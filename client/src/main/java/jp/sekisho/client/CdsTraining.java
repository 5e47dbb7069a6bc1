package jp.sekisho.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jp.sekisho.client.training.TrainingGateway;

/**
 * The training run behind the launchers' class-data-sharing archive and AOT cache (issue 18: a
 * command that does little must start in under 0.3 s, and a send's fixed cost is mostly code run for
 * the first time). The launcher runs this once per Java and jar, in the background; every class it
 * loads, and on Java 25+ every call site it links and every method it profiles, is then mapped by
 * later commands instead of being loaded, linked and learned again. So it runs what an everyday
 * hand-off runs, for real: the help of the common commands, then a {@code send} of 1,000 dummy rows
 * and a {@code receive --once} of it, with their own options, against a {@link
 * jp.sekisho.client.training.TrainingGateway training gateway} in a child JVM on loopback. It writes
 * only into a temporary folder it removes; a step that fails is skipped (the archive then just holds
 * less).
 */
final class CdsTraining {

    /** The system property that makes {@code sekisho} run this instead of a command. */
    static final String PROPERTY = "sekisho.cds.training";

    /**
     * The training gateway's main class, by name: a class literal would load it here, and with it
     * into the archive that every command maps.
     */
    static final String GATEWAY_CLASS = "jp.sekisho.client.training.TrainingGateway";

    /** How long the training gateway may take to mint its PKI and listen. */
    private static final Duration GATEWAY_START = Duration.ofSeconds(60);

    private CdsTraining() {}

    static int run() {
        PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
        for (String[] line : new String[][] {
            {"--version"},
            {"--help"},
            {"send", "--help"},
            {"receive", "--help"},
            {"seal", "--help"},
            {"open", "--help"},
            {"approvals", "list", "--help"},
            {"routes", "list", "--help"},
            {"audit", "search", "--help"},
            {"no-such-command"}
        }) {
            Sekisho.run(nowhere, nowhere, line);
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("sekisho-cds-training");
            handOff(dir, nowhere);
        } catch (Exception | LinkageError e) {
            // best effort: whatever loaded so far is archived
        } finally {
            removeQuietly(dir);
        }
        return 0;
    }

    /** What the training hand-off's two commands returned. */
    record Codes(int send, int receive) {}

    /**
     * A {@code send} and a {@code receive --once} of the training file, as the bench and a batch job
     * run them (with {@code --timings}), against a training gateway started in {@code dir}. The
     * gateway's names are compile-time constants, which javac copies here: naming them loads nothing.
     */
    static Codes handOff(Path dir, PrintWriter out) throws IOException, InterruptedException {
        Process gateway = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:TieredStopAtLevel=1",
                        "-XX:-UsePerfData",
                        "-Xmx256m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        GATEWAY_CLASS,
                        dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String url = firstLine(gateway);
            if (url == null || !url.startsWith("https://127.0.0.1:")) {
                throw new IOException("the training gateway did not start (it said " + url + ")");
            }
            Path pki = dir.resolve("pki");
            Path inbox = Files.createDirectories(dir.resolve("inbox"));
            int send = Sekisho.run(
                    out,
                    out,
                    "send",
                    "--gateway",
                    url,
                    "--route",
                    TrainingGateway.ROUTE,
                    "--file",
                    dir.resolve(TrainingGateway.FILE).toString(),
                    "--identity",
                    pki.resolve(TrainingGateway.CLIENT + ".p12").toString(),
                    "--timings");
            int receive = Sekisho.run(
                    out,
                    out,
                    "receive",
                    "--gateway",
                    url,
                    "--route",
                    TrainingGateway.ROUTE,
                    "--out",
                    inbox.toString(),
                    "--identity",
                    pki.resolve(TrainingGateway.CLIENT + ".p12").toString(),
                    "--key",
                    pki.resolve(TrainingGateway.RECIPIENT + ".key").toString(),
                    "--cert",
                    pki.resolve(TrainingGateway.RECIPIENT + ".pem").toString(),
                    "--trust",
                    pki.resolve("ca.pem").toString(),
                    "--once",
                    "--timings");
            return new Codes(send, receive);
        } finally {
            gateway.getOutputStream().close(); // its end of input: it stops
            if (!gateway.waitFor(10, TimeUnit.SECONDS)) {
                gateway.destroyForcibly();
            }
        }
    }

    /** The training gateway's one line (its URL), or null when it ended or took too long. */
    private static String firstLine(Process gateway) throws InterruptedException {
        String[] line = new String[1];
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r = gateway.inputReader(StandardCharsets.US_ASCII)) {
                        line[0] = r.readLine();
                    } catch (IOException ignored) {
                        // no line: the caller says so
                    }
                },
                "sekisho-cds-training-gateway");
        reader.setDaemon(true);
        reader.start();
        reader.join(GATEWAY_START.toMillis());
        if (reader.isAlive()) {
            gateway.destroyForcibly();
            return null;
        }
        return line[0];
    }

    private static void removeQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder: the system cleans it eventually
        }
    }
}
