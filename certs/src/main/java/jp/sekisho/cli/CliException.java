package jp.sekisho.cli;

/**
 * An expected failure of a command: printed as one line on stderr (no stack trace) and turned
 * into the given exit code by {@link CliErrors}.
 */
public class CliException extends RuntimeException {

    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public static CliException usage(String message) {
        return new CliException(ExitCode.USAGE, message);
    }

    /**
     * The command was stopped (Ctrl-C, the agent stopping) while it waited on the gateway: exit 3,
     * and what was done so far is kept for the next run.
     */
    public static CliException interrupted() {
        return new CliException(
                ExitCode.UNAVAILABLE,
                "中断されました。 interrupted. 次に: もう一度実行すると、済んだところから続けます。 next: run it again;"
                        + " it goes on from where it stopped.");
    }

    public int exitCode() {
        return exitCode;
    }
}
