package jp.sekisho.faults;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jp.sekisho.gateway.GatewayCommand;
import org.awaitility.core.ConditionTimeoutException;

/** {@code gateway --config FILE} in its own JVM, serving once it printed its "listening" line. */
final class GatewayJvm implements AutoCloseable {

    final ChildJvm jvm;
    /** When it printed "listening" (System.nanoTime()). */
    final long listeningAt;

    private GatewayJvm(ChildJvm jvm, long listeningAt) {
        this.jvm = jvm;
        this.listeningAt = listeningAt;
    }

    /** Starts it and polls its log (up to 90 s) for the "listening" line; fails with its output otherwise. */
    static GatewayJvm start(Path config, Path log) throws IOException, InterruptedException {
        ChildJvm jvm =
                ChildJvm.start("gateway", log, GatewayCommand.class.getName(), List.of("--config", config.toString()));
        try {
            await("gateway listening")
                    .atMost(Duration.ofSeconds(90))
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> jvm.output().contains(" listening: ") || !jvm.alive());
        } catch (ConditionTimeoutException e) {
            jvm.kill9();
            throw new AssertionError("the gateway did not start within 90 s:\n" + jvm.tail(), e);
        }
        if (!jvm.alive()) {
            throw new AssertionError("the gateway ended at start-up (exit " + jvm.awaitExit(Duration.ZERO) + "): "
                    + jvm.output()
                            .lines()
                            .filter(l -> !l.isBlank())
                            .reduce((a, b) -> b)
                            .orElse("")
                    + "\n" + jvm.tail());
        }
        return new GatewayJvm(jvm, System.nanoTime());
    }

    void kill9() throws InterruptedException {
        jvm.kill9();
    }

    @Override
    public void close() throws InterruptedException {
        jvm.close();
    }
}
