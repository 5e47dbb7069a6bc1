package jp.sekisho.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import jp.sekisho.audit.cli.AuditCommand;
import jp.sekisho.certs.cli.CertsCommand;
import jp.sekisho.cli.CliErrors;
import jp.sekisho.client.agent.AgentCommand;
import jp.sekisho.client.approval.ApprovalsCommand;
import jp.sekisho.client.deletion.DeletionReportCommand;
import jp.sekisho.client.demo.DemoCommand;
import jp.sekisho.client.dummy.DummyCommand;
import jp.sekisho.client.report.ReportCommand;
import jp.sekisho.client.route.RoutesCommand;
import jp.sekisho.client.transfer.ReceiveCommand;
import jp.sekisho.client.transfer.SendCommand;
import jp.sekisho.envelope.cli.OpenCommand;
import jp.sekisho.envelope.cli.SealCommand;
import jp.sekisho.gateway.GatewayCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/** The {@code sekisho} command: one entry point, one subcommand per job. */
@Command(
        name = "sekisho",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {
            "関所（Sekisho）: 市町村の個人情報を、個人情報保護審議会が承認したとおりにだけ受託事業者へ渡し、"
                    + "すべてのアクセスを記録するゲートウェイです。 Sekisho (関所): a gateway that lets municipal"
                    + " personal data reach a contractor only as the privacy council approved it, and records every"
                    + " access.",
            "",
            "各コマンドのオプションは `sekisho COMMAND --help` で表示します。",
            "Run `sekisho COMMAND --help` for each command's options.",
            "終了コード: 0 成功、1 ポリシーによる拒否（理由コードは標準エラーへ）、2 使い方・入力の誤り、3"
                    + " ゲートウェイまたはストアを使えない。SEKISHO_DEBUG=1 でスタックトレースを表示します。",
            "Exit codes: 0 success, 1 refused by policy (reason code on stderr), 2 usage or input error, "
                    + "3 gateway or store unavailable. Set SEKISHO_DEBUG=1 for stack traces."
        })
// No `subcommands` in the annotation: picocli would build every command's model (a few hundred
// classes and their reflection) on every run; commandLine() adds only the one named (issue 18).
public final class Sekisho {

    static {
        // picocli's default factory looks for Groovy's Closure class once; a class that is on no jar
        // makes the JVM open every jar of the class path (83, ~0.1 s of each command) to be sure.
        System.setProperty("picocli.disable.closures", "true");
    }

    /**
     * The subcommands by name, in the order help lists them. The names are written out rather than
     * read from each class's {@code @Command}: reading an annotation parses it, and with it every class
     * its {@code subcommands} names, which cost a command that does little some 60 ms of a cold JVM.
     * A class literal loads the class but runs nothing. SekishoCommandLineTest holds each name to its
     * class's own.
     */
    private static final Map<String, Class<?>> SUBCOMMANDS = subcommands(
            "demo", DemoCommand.class,
            "send", SendCommand.class,
            "receive", ReceiveCommand.class,
            "agent", AgentCommand.class,
            "seal", SealCommand.class,
            "open", OpenCommand.class,
            "gateway", GatewayCommand.class,
            "approvals", ApprovalsCommand.class,
            "routes", RoutesCommand.class,
            "deletion-report", DeletionReportCommand.class,
            "report", ReportCommand.class,
            "certs", CertsCommand.class,
            "audit", AuditCommand.class,
            "dummy", DummyCommand.class,
            "help", CommandLine.HelpCommand.class);

    public static void main(String[] args) {
        Timings.mainEntered();
        if (Boolean.getBoolean(CdsTraining.PROPERTY)) {
            System.exit(CdsTraining.run());
        }
        if (isVersionOnly(args)) {
            // picocli's model of even this one command costs a cold JVM ~100 ms; the answer is one line
            System.out.println(versionLine());
            exit(0);
            return;
        }
        Prewarm.startFor(args);
        exit(run(args));
    }

    /**
     * Ends the command with {@code code}. Since Java 21, {@code System.exit} first asks for the
     * {@code java.lang.Runtime} System.Logger, and finding the logger implementation scans every jar on
     * the class path (the gateway's 80 of them): ~100 ms at the end of every command. A success that
     * leaves only daemon threads returns from {@code main} instead; the JVM then exits with 0 and runs
     * the same shutdown hooks. Anything else still exits, so a stray thread can never hold it open.
     */
    static void exit(int code) {
        if (code == 0 && onlyDaemonThreadsBesides(Thread.currentThread())) {
            return;
        }
        System.exit(code);
    }

    static boolean onlyDaemonThreadsBesides(Thread self) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t != self && t.isAlive() && !t.isDaemon()) {
                return false;
            }
        }
        return true;
    }

    /** What {@code --version} prints. */
    static String versionLine() {
        return new Version().getVersion()[0];
    }

    /** {@code sekisho --version} (or {@code -V}) and nothing else: answered without picocli. */
    static boolean isVersionOnly(String... args) {
        return args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
    }

    /** Runs a command line in-process and returns its exit code (tests call this). */
    public static int run(String... args) {
        return commandLine(args).execute(args);
    }

    /** Runs a command line in-process with its output and errors captured (tests). */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cmd = commandLine(args);
        cmd.setOut(out);
        cmd.setErr(err);
        return cmd.execute(args);
    }

    /**
     * The command line for these arguments: with only the subcommand they name when they name one,
     * none for {@code --version}. The overview, {@code help}, and an unknown command (whose error
     * suggests the nearest names) need every command's name and summary but none of its options, so
     * they get {@link #summary listings}; {@code help COMMAND} gets COMMAND itself.
     */
    static CommandLine commandLine(String... args) {
        CommandLine cmd = new CommandLine(new Sekisho());
        String first = args.length > 0 ? args[0] : "";
        Class<?> named = "help".equals(first) ? null : SUBCOMMANDS.get(first);
        if (named != null) {
            cmd.addSubcommand(first, named);
        } else if (!first.equals("--version") && !first.equals("-V")) {
            String helped = "help".equals(first) && args.length > 1 ? args[1] : null;
            SUBCOMMANDS.forEach((name, type) -> {
                if (type == CommandLine.HelpCommand.class || name.equals(helped)) {
                    cmd.addSubcommand(name, type);
                } else {
                    cmd.addSubcommand(name, summary(name, type));
                }
            });
        }
        return CliErrors.configure(cmd);
    }

    /** Every command in full, options and subcommands included (tests render each one's help). */
    static CommandLine fullCommandLine() {
        CommandLine cmd = new CommandLine(new Sekisho());
        SUBCOMMANDS.forEach(cmd::addSubcommand);
        return CliErrors.configure(cmd);
    }

    /**
     * A command as the overview lists it: its name, aliases, header and description, read from its
     * {@code @Command} without building its options (the overview used to build all ~45 commands'
     * models, 0.6 s of a cold start). It accepts whatever follows it so that {@code sekisho -h send
     * --route r} still prints the overview, and it is never run: {@code commandLine} puts the real
     * command in its place whenever its name comes first.
     */
    private static CommandLine summary(String name, Class<?> type) {
        Command declared = type.getAnnotation(Command.class);
        CommandSpec spec = CommandSpec.wrapWithoutInspection((Callable<Integer>) () -> {
            throw new IllegalStateException("the overview's listing of '" + name + "' was run instead of the command");
        });
        spec.name(name).aliases(declared.aliases());
        spec.usageMessage()
                .header(declared.header())
                .description(declared.description())
                .hidden(declared.hidden());
        spec.parser().unmatchedArgumentsAllowed(true);
        return new CommandLine(spec);
    }

    private static Map<String, Class<?>> subcommands(Object... nameThenClass) {
        Map<String, Class<?>> byName = new LinkedHashMap<>();
        for (int i = 0; i < nameThenClass.length; i += 2) {
            byName.put((String) nameThenClass[i], (Class<?>) nameThenClass[i + 1]);
        }
        return Collections.unmodifiableMap(byName);
    }

    /** The subcommands by name, for tests. */
    static Map<String, Class<?>> subcommands() {
        return SUBCOMMANDS;
    }
}
