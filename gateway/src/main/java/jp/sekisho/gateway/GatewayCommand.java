package jp.sekisho.gateway;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.StoreShutdown;
import jp.sekisho.audit.keys.AuditKeyException;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.gateway.config.ConfigException;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.config.GatewayConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sekisho gateway --config FILE}: runs the gateway until SIGTERM or Ctrl-C. */
@Command(
        name = "gateway",
        mixinStandardHelpOptions = true,
        description = {
            "関所のゲートウェイを動かします（リスナー、相互 TLS、送信元アドレスの許可リスト、監査ログ）。"
                    + " Runs the Sekisho gateway: its listeners, mutual TLS, source-address allowlists and audit log.",
            "設定は YAML ファイル 1 つです（docs/gateway-config.md）。SIGTERM か Ctrl-C で止まるまで動きます。",
            "Configuration: one YAML file (see docs/gateway-config.md). Runs until SIGTERM or Ctrl-C.",
            "終了コード: 2 設定の誤り（誤ったキーを 1 行で示します）、3 監査ストアを使えない。",
            "Exit codes: 2 configuration error (one line naming the key), 3 audit store unavailable."
        })
public final class GatewayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--config",
            required = true,
            paramLabel = "FILE",
            description = "ゲートウェイの設定ファイル（YAML） / the gateway YAML file")
    Path config;

    /** Runs the gateway command alone (the {@code sekisho} launcher is the usual way in). */
    public static void main(String[] args) {
        System.exit(jp.sekisho.cli.CliErrors.configure(new picocli.CommandLine(new GatewayCommand()))
                .execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        // Logging is set up here, on this thread, before the threads that log at once start (SLF4J would
        // otherwise warn that it replayed their early calls); commands that do little never set it up.
        org.slf4j.LoggerFactory.getILoggerFactory();
        GatewayConfig cfg;
        try {
            cfg = GatewayConfigLoader.load(config);
        } catch (ConfigException e) {
            throw configError(e);
        }
        AtomicReference<AuditStore> opened = new AtomicReference<>();
        Gateway gateway;
        long t0 = System.nanoTime();
        try {
            gateway = Gateway.start(cfg, () -> {
                AuditStore o = AuditStores.open(cfg);
                opened.set(o);
                return o;
            });
        } catch (ConfigException e) {
            closeQuietly(opened.get());
            throw configError(e);
        } catch (AuditKeyException e) {
            // one line, Japanese then English, starting with its code. A missing or foreign key needs a person
            // (restore it, or rotate on purpose): exit 2, which the systemd unit does not restart in a loop; a node-id
            // still held by another process may be a stop in progress: exit 3, restarted
            closeQuietly(opened.get());
            int exit = AuditKeyException.NODE_IN_USE.equals(e.code()) ? ExitCode.UNAVAILABLE : ExitCode.USAGE;
            throw new CliException(exit, e.getMessage());
        } catch (AuditUnavailableException e) {
            closeQuietly(opened.get());
            throw new CliException(
                    ExitCode.UNAVAILABLE,
                    "監査ストアを使えないため起動できません。 audit store unavailable: " + e.getMessage()
                            + ". 次に: store: の設定とデータベースの状態を確認してください（起動し直せば続きから）。 next:"
                            + " check store: in the configuration and the database; a restart goes on from there.");
        } catch (RuntimeException e) {
            closeQuietly(opened.get());
            ConfigException config = configCause(e);
            if (config != null) {
                // raised while a bean was made (Micronaut wraps it): still a configuration error, exit 2, no restart
                // loop
                throw configError(config);
            }
            throw new CliException(
                    ExitCode.UNAVAILABLE,
                    "ゲートウェイを起動できません。 cannot start: " + rootMessage(e) + ". 次に: 上のログを確認して"
                            + "ください。 next: see the log above.");
        }
        AuditStore store = opened.get();
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable stop = () -> {
            try {
                gateway.close();
            } finally {
                store.close();
                stopped.countDown();
            }
        };
        // before the listening line: a SIGTERM sent as soon as it appears must find the hook in place.
        // It writes to the audit store, so an embedded store stops only after it (StoreShutdown).
        try {
            StoreShutdown.addWriterHook(new Thread(stop, "sekisho-gateway-stop"));
        } catch (IllegalStateException shuttingDown) {
            stop.run(); // the JVM is exiting already: stop in order here
            return ExitCode.OK;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "Sekisho gateway %s listening: %s (started in %d ms)%n",
                cfg.nodeId(), gateway.describeListeners(), (System.nanoTime() - t0) / 1_000_000);
        out.flush();
        stopped.await();
        return ExitCode.OK;
    }

    /** A mistake in gateway.yml (or a file it names): exit 2, which the systemd unit does not restart in a loop. */
    private static CliException configError(ConfigException e) {
        return new CliException(
                ExitCode.USAGE,
                "設定に誤りがあります。 configuration error: " + e.getMessage() + ". 次に: 設定を直してから起動し直して"
                        + "ください（docs/gateway-config.md）。 next: fix it and start again (docs/gateway-config.md).");
    }

    private static void closeQuietly(AuditStore o) {
        if (o != null) {
            o.close();
        }
    }

    private static ConfigException configCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConfigException c) {
                return c;
            }
        }
        return null;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }
}
