package jp.sekisho.gateway.attack;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Counts each category's cases and passes and, after the category, appends
 * {@code category, cases, passed} to {@code target/attack-catalogue.txt} (the figures of
 * docs/security.md) and prints a summary line.
 */
final class CatalogueTally implements TestWatcher, AfterAllCallback {

    static final Path FILE = Path.of("target", "attack-catalogue.txt");

    private record Counts(AtomicInteger cases, AtomicInteger passed) {}

    private static Counts counts(ExtensionContext c) {
        ExtensionContext cls = c;
        while (cls.getTestMethod().isPresent()) { // an invocation, then its method: up to the class
            cls = cls.getParent().orElseThrow();
        }
        return cls.getStore(ExtensionContext.Namespace.create(CatalogueTally.class))
                .getOrComputeIfAbsent(
                        "counts", k -> new Counts(new AtomicInteger(), new AtomicInteger()), Counts.class);
    }

    @Override
    public void testSuccessful(ExtensionContext c) {
        Counts n = counts(c);
        n.cases().incrementAndGet();
        n.passed().incrementAndGet();
    }

    @Override
    public void testFailed(ExtensionContext c, Throwable cause) {
        counts(c).cases().incrementAndGet();
    }

    @Override
    public void testAborted(ExtensionContext c, Throwable cause) {
        counts(c).cases().incrementAndGet();
    }

    @Override
    public void testDisabled(ExtensionContext c, Optional<String> reason) {
        counts(c).cases().incrementAndGet();
    }

    @Override
    public void afterAll(ExtensionContext c) throws Exception {
        Counts n = counts(c);
        String category = c.getRequiredTestClass().getSimpleName().replace("AttacksTest", "");
        String line = category + ", " + n.cases().get() + ", " + n.passed().get();
        Files.createDirectories(FILE.getParent());
        Files.writeString(
                FILE, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        System.out.println("attack catalogue: " + category + ": " + n.passed().get() + " of "
                + n.cases().get() + " hostile cases handled as expected");
    }
}
