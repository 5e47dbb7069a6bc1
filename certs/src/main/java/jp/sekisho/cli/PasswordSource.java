package jp.sekisho.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Function;
import jp.sekisho.certs.cli.Passphrases;

/**
 * One password of a command, from exactly one of its sources: a file, an environment variable named
 * on the command line, the command line itself (visible in {@code ps}: allowed, with a warning), or
 * a default environment variable. Every command that takes a password reads it through this, so
 * none of them takes it from argv only.
 *
 * @param fileOption the option naming the file, e.g. {@code --password-file}
 * @param envOption  the option naming the environment variable, e.g. {@code --password-env}
 * @param argvOption the option carrying the password itself, e.g. {@code --identity-password}
 * @param defaultEnv the variable read when no option is given (null: none); empty password otherwise
 */
public record PasswordSource(String fileOption, String envOption, String argvOption, String defaultEnv) {

    /** The three options that give the password (their names as declared; a command may add aliases). */
    public java.util.List<String> options() {
        return java.util.List.of(fileOption, envOption, argvOption);
    }

    /**
     * The password from the options given (each may be null); {@code err} gets the argv warning and
     * {@code env} is the process environment ({@code System::getenv}).
     */
    public char[] read(
            Path file, String envName, String argv, String command, PrintWriter err, Function<String, String> env) {
        int given = (file != null ? 1 : 0) + (envName != null ? 1 : 0) + (argv != null ? 1 : 0);
        if (given > 1) {
            throw CliException.usage(fileOption + "、" + envOption + "、" + argvOption
                    + " は一つだけ指定してください。 give at most one of " + fileOption + ", " + envOption + " and " + argvOption);
        }
        if (file != null) {
            return Passphrases.read(file, fileOption);
        }
        if (envName != null) {
            String v = env.apply(envName);
            if (v == null) {
                throw CliException.usage(envOption + " " + Printable.of(envName)
                        + ": 環境変数が設定されていません。 the environment variable is not set");
            }
            return v.toCharArray();
        }
        if (argv != null) {
            if (err != null) {
                err.println(command + ": 警告: " + argvOption + " はパスワードを ps に表示します。 warning: " + argvOption
                        + " shows the password to every user in ps; use " + fileOption + " or " + envOption);
                err.flush();
            }
            return argv.toCharArray();
        }
        String v = defaultEnv == null ? null : env.apply(defaultEnv);
        return v != null ? v.toCharArray() : new char[0];
    }
}
