package jp.sekisho.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which JVM hands a receive over, and the command line it hands it to (the process run: ReceiveHandOverTest). */
class FullJitTest {

    @Test
    void onlyATierBelowC2IsTheQuickTierAndTheLastOptionWins() {
        assertTrue(FullJit.onQuickTier(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1")));
        assertTrue(FullJit.onQuickTier(List.of("-XX:TieredStopAtLevel=3")));
        assertFalse(FullJit.onQuickTier(List.of("-Xmx256m")));
        assertFalse(FullJit.onQuickTier(List.of("-XX:TieredStopAtLevel=4")));
        // the launcher's choice, then SEKISHO_JAVA_OPTS putting C2 back
        assertFalse(FullJit.onQuickTier(List.of("-XX:TieredStopAtLevel=1", "-XX:TieredStopAtLevel=4")));
        assertTrue(FullJit.onQuickTier(List.of("-XX:TieredStopAtLevel=4", "-XX:TieredStopAtLevel=1")));
    }

    @Test
    void theChildKeepsEveryJvmOptionButTheTierAndRunsTheSameArguments() {
        List<String> cmd = FullJit.command(
                "/jdk/bin/java",
                List.of("-XX:AOTCache=/lib/cds/s.aot", "-XX:TieredStopAtLevel=1", "-Xmx256m", "-Dsekisho.x=1"),
                "/lib/sekisho.jar",
                List.of("receive", "--route", "r", "--out", "-XX:TieredStopAtLevel=1", "--once"));
        assertEquals(
                List.of(
                        "/jdk/bin/java",
                        "-XX:AOTCache=/lib/cds/s.aot",
                        "-Xmx256m",
                        "-Dsekisho.x=1",
                        "-Dsekisho.handedOver=true",
                        "-cp",
                        "/lib/sekisho.jar",
                        "jp.sekisho.client.Sekisho",
                        "receive",
                        "--route",
                        "r",
                        "--out",
                        "-XX:TieredStopAtLevel=1", // an argument, not a JVM option: kept as it was
                        "--once"),
                cmd);
    }

    @Test
    void theLimitIsThirtyTwoMebibytesUnlessATestSetsIt() {
        assertEquals(32L * 1024 * 1024, FullJit.QUICK_TIER_MAX_BYTES);
        String was = System.getProperty(FullJit.MAX_BYTES_PROPERTY);
        try {
            System.clearProperty(FullJit.MAX_BYTES_PROPERTY);
            assertEquals(FullJit.QUICK_TIER_MAX_BYTES, FullJit.quickTierMaxBytes());
            System.setProperty(FullJit.MAX_BYTES_PROPERTY, "1024");
            assertEquals(1024, FullJit.quickTierMaxBytes());
        } finally {
            if (was == null) {
                System.clearProperty(FullJit.MAX_BYTES_PROPERTY);
            } else {
                System.setProperty(FullJit.MAX_BYTES_PROPERTY, was);
            }
        }
    }

    @Test
    void passwordsReadHereReachTheChildThroughItsEnvironmentNotItsArguments() {
        List<FullJit.Secret> secrets = List.of(
                new FullJit.Secret(
                        List.of("--password-file", "--identity-password"),
                        "--password-env",
                        "ID_VAR",
                        "p12-secret".toCharArray()),
                new FullJit.Secret(List.of("--key-password-file"), "--key-password-env", "KEY_VAR", null));
        List<String> args = FullJit.withSecretsFromEnvironment(
                List.of(
                        "receive",
                        "--identity-password",
                        "p12-secret",
                        "--password-env=OLD",
                        "--route",
                        "r",
                        "--key-password-file",
                        "/dev/fd/3",
                        "--once",
                        "--",
                        "--password-file"),
                secrets);
        assertEquals(
                List.of(
                        "receive",
                        "--route",
                        "r",
                        "--once",
                        "--",
                        "--password-file", // after --: an argument, not an option
                        "--password-env",
                        "ID_VAR"),
                args,
                "both forms dropped with their values; no key option for a key read without a passphrase");
        assertFalse(String.join(" ", args).contains("p12-secret"), "the password is not on the child's command line");
        assertEquals(java.util.Map.of("ID_VAR", "p12-secret"), FullJit.environment(secrets));
    }
}
