package jp.sekisho.client.agent;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.cli.Printable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sekisho agent}: the resident agent for batch systems (docs/agent.md). */
@Command(
        name = "agent",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        subcommands = AgentCommand.Check.class,
        description = {
            "常駐エージェントを動かします: 送信フォルダに揃ったファイルをその経路で送り、"
                    + "各受信経路を受信フォルダへ受信し続けます（TLS セッションを保つ 1 つの JVM で）。"
                    + " Runs the resident agent: sends every file that appears complete in an outbox folder (renamed"
                    + " in, or with FILE.done beside it) on that folder's route, and receives each inbox route into"
                    + " its folder, continuously, in one JVM that keeps its TLS sessions. See docs/agent.md.",
            "",
            "送信したファイルは受領証（NAME.receipt.json）とともに OUTBOX/sent/ へ、拒否されたファイルは"
                    + " NAME.reason.txt とともに OUTBOX/failed/ へ移します。各ファイルは一度だけ送ります: kill -9"
                    + " の後でも、再起動すれば同じアップロードを続けるか、保管済みの受領証を見つけます。"
                    + "ゲートウェイに届かない間はファイルを待たせ、間隔を空けて再試行します（retry-max まで）。",
            "設定ファイルの確認は `sekisho agent check --config FILE` です（エージェントが何をするかを表示します）。",
            "終了コード: 0 停止（--once では全部完了）、1 --once でファイルの失敗か転送の拒否、2 設定の誤り、3"
                    + " ゲートウェイに接続できない（--once）か、フォルダを別のエージェントが使用中。",
            "",
            "A sent file moves to OUTBOX/sent/ with its receipt beside it (NAME.receipt.json); a refused one to "
                    + "OUTBOX/failed/ with NAME.reason.txt. Each file is sent once: a restart, even after kill -9, "
                    + "resumes the same upload or finds its receipt stored. While the gateway cannot be reached, files "
                    + "wait and the agent retries with backoff (up to retry-max).",
            "`sekisho agent check --config FILE` checks the file and prints what the agent would do.",
            "Exit codes: 0 stopped (or --once: all done), 1 --once: a file failed or a transfer was refused, "
                    + "2 configuration error, 3 gateway unavailable (--once) or a folder held by another agent."
        })
public final class AgentCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--config",
            paramLabel = "agent.yml",
            description = "エージェントの設定ファイル（docs/agent.md） / The agent's configuration (docs/agent.md).")
    Path config;

    @Option(
            names = "--once",
            description = "揃っている分を送り、待っている分を受信して終了します / Send what is complete and receive what is"
                    + " waiting now, then exit.")
    boolean once;

    @Override
    public Integer call() throws InterruptedException {
        AgentConfig c = AgentConfigLoader.load(required(config));
        PrintWriter err = spec.commandLine().getErr();
        try (Agent agent = Agent.open(c, err)) {
            if (once) {
                return agent.once();
            }
            agent.run();
            return ExitCode.OK;
        }
    }

    static Path required(Path config) {
        if (config == null) {
            throw CliException.usage("--config agent.yml が必要です。 --config agent.yml is required");
        }
        return config;
    }

    /** {@code sekisho agent check}: the configuration checked, keys loaded, and the plan printed; nothing sent. */
    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = "設定ファイル agent.yml を確かめ、エージェントが何をするかを表示します（送受信はしません）。"
                    + " Checks agent.yml (every field, the identity and keys it names, the folders) and prints what"
                    + " the agent would do; sends and receives nothing. Exit 0 when it is ready, 2 with the line and"
                    + " field of the first problem.")
    public static final class Check implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(
                names = "--config",
                paramLabel = "agent.yml",
                description = "エージェントの設定ファイル / The agent's configuration.")
        Path config;

        @Override
        public Integer call() throws IOException {
            AgentConfig c = AgentConfigLoader.load(required(config));
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            var identity = Agent.identity(c, err);
            Agent.client(c, identity);
            if (c.recipient() != null) {
                Agent.keys(c.recipient(), err);
            }
            out.printf("設定は正しいです / %s is valid%n", Printable.value(c.file()));
            out.printf("gateway:   %s%n", Printable.of(c.gateway().toString()));
            out.printf(
                    "identity:  %s%n",
                    Printable.of(
                            identity.chain().get(0).getSubjectX500Principal().getName()));
            out.printf("poll:      %s (retry up to %s)%n", c.poll(), c.retryMax());
            for (AgentConfig.Outbox o : c.outboxes()) {
                out.printf(
                        "send:      %s -> route %s (complete: %s, records: %s%s); sent/ and failed/ inside%n",
                        Printable.value(o.folder()),
                        o.route(),
                        o.complete() == AgentConfig.Complete.RENAME ? "renamed in" : "FILE.done marker",
                        o.recordsFrom() == AgentConfig.RecordsFrom.CSV ? "counted in the CSV" : "from FILE.done",
                        o.itemsMap() == null ? "" : ", items map " + Printable.value(o.itemsMap()));
                long waiting;
                try (var s = java.nio.file.Files.list(o.folder())) {
                    waiting = s.filter(p -> !p.getFileName().toString().startsWith("."))
                            .filter(java.nio.file.Files::isRegularFile)
                            .count();
                }
                out.printf("           %d file(s) in the folder now%n", waiting);
            }
            for (AgentConfig.Inbox i : c.inboxes()) {
                out.printf("receive:   route %s -> %s%n", i.route(), Printable.value(i.folder()));
            }
            out.flush();
            return ExitCode.OK;
        }
    }
}
