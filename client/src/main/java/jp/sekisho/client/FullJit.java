package jp.sekisho.client;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;

/**
 * The same command again in a JVM with the full JIT (issue 18). The launchers start {@code receive
 * --once} on the JIT's quick tier (C1 only), which saves a small receive ~0.25 s but opens a large
 * envelope about three times slower: it has no AES-GCM or SHA-256 intrinsics. What a receive will
 * download is known only once it has listed the inbox, so a receive on the quick tier that finds more
 * than {@link #quickTierMaxBytes()} waiting hands itself over, before it downloads or acknowledges
 * anything: the child lists again and does the whole job, with this process's JVM options (class
 * path, AOT cache, heap) except the tier, its arguments, environment, standard streams and working
 * folder, and this process exits with the child's code.
 */
public final class FullJit {

    /**
     * Envelope bytes above which a receive on the quick tier hands over. Measured on two cores: the
     * 305,115-row CSV's 14.6 MB envelope received in 1.70 s on the quick tier and 1.69 s on the full
     * JIT (zlib is native, and the work overlaps the download); a 64 MiB random one in 3.03 against
     * 2.06 s (~15 ms per MiB); a hand-over costs ~0.7 s (a second JVM, keys, TLS, listing).
     */
    static final long QUICK_TIER_MAX_BYTES = 32L * 1024 * 1024;

    /** Overrides {@link #QUICK_TIER_MAX_BYTES}, for tests that hand small files over. */
    static final String MAX_BYTES_PROPERTY = "sekisho.quickTierMaxBytes";

    private static final String TIER_OPTION = "-XX:TieredStopAtLevel=";

    /**
     * Set in the child's JVM: it was started for more than the quick tier opens well, so it warms the
     * bulk crypto up at once ({@link Prewarm}, {@link BulkCryptoWarmup}).
     */
    static final String HANDED_OVER_PROPERTY = "sekisho.handedOver";

    private FullJit() {}

    /** How many envelope bytes a receive on the quick tier opens itself. */
    public static long quickTierMaxBytes() {
        return Long.getLong(MAX_BYTES_PROPERTY, QUICK_TIER_MAX_BYTES);
    }

    /**
     * The command line that runs {@code args} in a JVM with the full JIT, or nothing when this JVM
     * already has it (the launcher chose so, or SEKISHO_JAVA_OPTS put the tier back).
     */
    public static Optional<List<String>> commandFor(List<String> args) {
        List<String> jvm = ManagementFactory.getRuntimeMXBean().getInputArguments();
        if (!onQuickTier(jvm)) {
            return Optional.empty();
        }
        return Optional.of(command(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                jvm,
                System.getProperty("java.class.path"),
                args));
    }

    /**
     * A password this process has read, which the child gets through its environment instead: the
     * options that gave it here ({@code options}, each with its value, in either form) are dropped from
     * the child's arguments and {@code envOption VARIABLE} is added. A password file that was a FIFO or
     * a pipe cannot be read a second time, and one given on the command line would be shown in {@code
     * ps} and warned about again.
     */
    public record Secret(List<String> options, String envOption, String variable, char[] value) {}

    /** {@code args} without the options of {@code secrets}, and with their environment options instead. */
    public static List<String> withSecretsFromEnvironment(List<String> args, List<Secret> secrets) {
        List<String> dropped = new ArrayList<>();
        for (Secret secret : secrets) {
            dropped.addAll(secret.options());
            dropped.add(secret.envOption());
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                out.addAll(args.subList(i, args.size())); // positional from here on: nothing to drop
                break;
            }
            if (dropped.contains(a)) {
                i++; // and its value
                continue;
            }
            int eq = a.indexOf('=');
            if (eq > 0 && dropped.contains(a.substring(0, eq))) {
                continue;
            }
            out.add(a);
        }
        for (Secret secret : secrets) {
            if (secret.value() != null) {
                out.add(secret.envOption());
                out.add(secret.variable());
            }
        }
        return out;
    }

    /** The variables that carry {@code secrets} to the child. */
    public static Map<String, String> environment(List<Secret> secrets) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Secret secret : secrets) {
            if (secret.value() != null) {
                env.put(secret.variable(), new String(secret.value()));
            }
        }
        return env;
    }

    /** Whether the last -XX:TieredStopAtLevel among these JVM options stops below C2 (level 4). */
    static boolean onQuickTier(List<String> jvmOptions) {
        int level = 4;
        for (String o : jvmOptions) {
            if (o.startsWith(TIER_OPTION)) {
                try {
                    level = Integer.parseInt(o.substring(TIER_OPTION.length()).trim());
                } catch (NumberFormatException e) {
                    level = 4; // the JVM would not have started with it; treat as the default
                }
            }
        }
        return level < 4;
    }

    /** {@code java} with {@code jvmOptions} but the tier, this class path and main class, and {@code args}. */
    static List<String> command(String java, List<String> jvmOptions, String classPath, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        for (String o : jvmOptions) {
            if (!o.startsWith(TIER_OPTION)) {
                cmd.add(o);
            }
        }
        cmd.add("-D" + HANDED_OVER_PROPERTY + "=true");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(Sekisho.class.getName());
        cmd.addAll(args);
        return cmd;
    }

    /**
     * Runs {@code command} with this process's streams and returns its exit code. A TERM to this
     * process (a scheduler stopping the job) is passed on: the child stops as a receive stops, its
     * journal telling the next run where it was.
     */
    public static int run(List<String> command) {
        return run(command, Map.of());
    }

    /** As {@link #run(List)}, with {@code environment} added to this process's for the child. */
    public static int run(List<String> command, Map<String, String> environment) {
        Process child;
        try {
            ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
            pb.environment().putAll(environment);
            child = pb.start();
        } catch (IOException e) {
            throw new CliException(
                    ExitCode.UNAVAILABLE,
                    "JVM を起動できません / could not start a JVM with the full JIT for this receive: " + e.getMessage()
                            + "; SEKISHO_JAVA_OPTS=-XX:TieredStopAtLevel=4 receives in one JVM");
        }
        Thread passOn = new Thread(child::destroy, "sekisho-full-jit-stop");
        Runtime.getRuntime().addShutdownHook(passOn);
        try {
            return child.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            child.destroy();
            return ExitCode.UNAVAILABLE;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(passOn);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or ran: nothing to undo
            }
        }
    }
}
