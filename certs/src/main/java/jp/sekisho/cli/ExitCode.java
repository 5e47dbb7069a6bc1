package jp.sekisho.cli;

/** Exit codes every sekisho subcommand uses, so that scripts can rely on them. */
public final class ExitCode {
    /** Success. */
    public static final int OK = 0;
    /** Refused by policy; the reason code is printed on stderr. */
    public static final int REFUSED = 1;
    /** Usage or input error. */
    public static final int USAGE = 2;
    /** Gateway or store unavailable. */
    public static final int UNAVAILABLE = 3;

    private ExitCode() {}
}
