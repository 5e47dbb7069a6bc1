package jp.sekisho.audit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code audit}: verify, export and search the audit log. Exit codes: 0 ok, 1 verification failed or
 * refused, 2 usage or input error, 3 audit store unavailable, 4 the export stream was cut (run it
 * again). Errors are one line on stderr.
 */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        description = "関所の監査ログを検証・書き出し・検索・アーカイブします。 Verify, export, search and archive the Sekisho audit log.",
        subcommands = {
            VerifyCommand.class,
            ExportCommand.class,
            SearchCommand.class,
            TailCommand.class,
            ArchiveCommand.class,
            RotateKeyCommand.class
        })
public final class AuditCommand implements Runnable {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int UNAVAILABLE = 3;
    /** The export stream from the gateway was cut (STREAM_TRUNCATED): incomplete, not tampered; run it again. */
    public static final int TRUNCATED = 4;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "サブコマンドを指定してください（verify、export、search、tail、archive、rotate-key）。"
                        + " a subcommand is required: verify, export, search, tail, archive or rotate-key");
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new AuditCommand()).execute(args));
    }
}
