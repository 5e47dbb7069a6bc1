package jp.sekisho.client;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Set;

/**
 * Two one-time costs of a cold transfer command, started on a second thread at once so that they
 * overlap picocli building the command's model on the main thread (issue 18: {@code send} and
 * {@code receive} of an everyday file). Neither changes what a command does; each only happens
 * earlier than the command itself would make it happen.
 *
 * <ul>
 *   <li>The class path's jars opened: the first lookup that asks every jar (the JDK's search for URL
 *       handlers, for a logger, a class no jar has) opens all of them, ~40 ms.
 *   <li>The P-256 generator's table of precomputed points, built by the first signature or key with
 *       that curve (the identity's CA check, the TLS handshake's signature): ~45 ms.
 * </ul>
 *
 * <p>Then, for a command that will move a large file on a JVM with the optimising JIT, the bulk
 * crypto is compiled before the bytes arrive ({@link BulkCryptoWarmup}).
 */
final class Prewarm {

    /** The commands that load an identity and talk TLS or seal at once; never for their --help. */
    private static final Set<String> COMMANDS = Set.of("send", "receive", "seal", "open", "agent");

    /**
     * Input bytes above which send, seal and open warm the bulk crypto up: the size up to which the
     * launchers run them on the quick tier (sekisho-java.sh, jit_options), where C2 does not run.
     */
    static final long BULK_BYTES = 8L * 1024 * 1024;

    private Prewarm() {}

    /** Starts the daemon thread when {@code args} run one of {@link #COMMANDS}. */
    static void startFor(String... args) {
        if (args.length < 2 || !COMMANDS.contains(args[0])) {
            return;
        }
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
                return;
            }
        }
        Thread t = new Thread(() -> run(bulk(args)), "sekisho-prewarm"); // its stat off the main thread too
        t.setDaemon(true);
        t.start();
    }

    /**
     * Whether {@code args} will move a large file: the agent and a receive that keeps polling (long
     * runs), a {@code receive --once} handed over to the full JIT ({@link FullJit}: more than the quick
     * tier opens is waiting), and a send, seal or open whose input is larger than {@link #BULK_BYTES}.
     */
    static boolean bulk(String... args) {
        return switch (args[0]) {
            case "agent" -> true;
            case "receive" -> !List.of(args).contains("--once") || Boolean.getBoolean(FullJit.HANDED_OVER_PROPERTY);
            case "send" -> larger(args, "--file", "--encrypted");
            case "seal", "open" -> larger(args, "--in");
            default -> false;
        };
    }

    /** Whether the file given by one of {@code options} (either form) is larger than {@link #BULK_BYTES}. */
    private static boolean larger(String[] args, String... options) {
        for (int i = 0; i < args.length; i++) {
            for (String o : options) {
                String file = null;
                if (args[i].equals(o) && i + 1 < args.length) {
                    file = args[i + 1];
                } else if (args[i].startsWith(o + "=")) {
                    file = args[i].substring(o.length() + 1);
                }
                if (file != null) {
                    try {
                        return Files.size(Path.of(file)) > BULK_BYTES;
                    } catch (IOException | InvalidPathException e) {
                        return false; // the command says what is wrong with it
                    }
                }
            }
        }
        return false;
    }

    private static void run(boolean bulk) {
        early();
        // on the quick tier (the launcher's choice, or the user's) there is no C2 to warm up for
        if (bulk && !FullJit.onQuickTier(ManagementFactory.getRuntimeMXBean().getInputArguments())) {
            BulkCryptoWarmup.run();
        }
    }

    private static void early() {
        try {
            // an http URL asks every jar for a URLStreamHandlerProvider, once per process
            URI.create("http://127.0.0.1/").toURL();
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            g.generateKeyPair();
        } catch (MalformedURLException | GeneralSecurityException | RuntimeException e) {
            // nothing is lost: the command pays these costs itself when it gets there
        }
    }
}
