package jp.sekisho.client;

import java.net.MalformedURLException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
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
 */
final class Prewarm {

    /** The commands that load an identity and talk TLS or seal at once; never for their --help. */
    private static final Set<String> COMMANDS = Set.of("send", "receive", "seal", "open", "agent");

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
        Thread t = new Thread(Prewarm::run, "sekisho-prewarm");
        t.setDaemon(true);
        t.start();
    }

    private static void run() {
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
