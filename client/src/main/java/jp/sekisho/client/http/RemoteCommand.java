package jp.sekisho.client.http;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import jp.sekisho.cli.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A subcommand that talks to a running gateway: the shared options, output and exit code. */
public abstract class RemoteCommand implements Callable<Integer> {

    @Mixin
    protected GatewayOptions gateway;

    @Spec
    protected CommandSpec spec;

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** The client is made on first use, so input errors are reported before any connection. */
    protected GatewayClient client() {
        return gateway.client();
    }

    @Override
    public final Integer call() throws Exception {
        run();
        out().flush();
        return ExitCode.OK;
    }

    protected abstract void run() throws Exception;
}
