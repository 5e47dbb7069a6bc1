package jp.sekisho.audit.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.config.AuditConfig;
import jp.sekisho.audit.db.Database;
import picocli.CommandLine;

/** Shared plumbing of the subcommands: the store from {@code --config}, exit codes, one-line errors. */
abstract class StoreCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Thrown for bad input: exit 2. */
    static final class InputException extends Exception {
        InputException(String message) {
            super(message);
        }
    }

    @Override
    public final Integer call() {
        try {
            return execute();
        } catch (InputException | IllegalArgumentException e) {
            return fail(AuditCommand.USAGE, e.getMessage());
        } catch (NoSuchFileException e) {
            return fail(AuditCommand.USAGE, "ファイルがありません。 no such file: " + e.getMessage());
        } catch (IOException e) {
            return fail(AuditCommand.USAGE, Database.oneLine(e));
        } catch (StreamCut e) {
            return fail(AuditCommand.TRUNCATED, e.getMessage());
        } catch (GatewayAccess.Refused e) {
            return fail(AuditCommand.FAILED, e.getMessage());
        } catch (jp.sekisho.audit.keys.AuditKeyException e) {
            return fail(AuditCommand.FAILED, e.getMessage()); // refused: a key or node problem, said in one line
        } catch (AuditUnavailableException e) {
            return fail(
                    AuditCommand.UNAVAILABLE,
                    e.getMessage().lines().findFirst().orElse(AuditUnavailableException.REASON));
        } catch (RuntimeException e) {
            return fail(AuditCommand.FAILED, Database.oneLine(e));
        }
    }

    abstract int execute() throws IOException, InputException;

    int fail(int code, String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("audit " + spec.name() + ": " + jp.sekisho.cli.Printable.of(message)); // may echo input
        err.flush();
        return code;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    static AuditConfig config(Path file) throws IOException, InputException {
        if (!Files.isRegularFile(file)) {
            throw new InputException("設定ファイルがありません。 no such configuration file: " + file);
        }
        return AuditConfig.fromGatewayYaml(file);
    }

    static AuditStore open(AuditConfig config) {
        return AuditStore.openBeside(config);
    }

    /** Who reads, for the AUDIT_READ event: the operating-system account running the command. */
    static AuditPrincipal localOperator() {
        return new AuditPrincipal("local-cli:" + System.getProperty("user.name"), null, null);
    }
}
