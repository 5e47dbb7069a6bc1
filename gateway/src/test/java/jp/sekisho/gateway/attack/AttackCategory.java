package jp.sekisho.gateway.attack;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One category of the attack catalogue: one gateway for all its cases (start-up is costly), each
 * case a named row of the report, judged by {@link Catalogue}, counted by {@link CatalogueTally}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(CatalogueTally.class)
abstract class AttackCategory {

    /** The category's own folder (PKI, gateway data-dir); made here because @TempDir fields are set too late for @BeforeAll. */
    Path dir;

    AttackWorld world;
    Catalogue catalogue;

    /** The category's hostile cases. */
    abstract Stream<HostileCase> cases() throws Exception;

    /** Routes and state the category needs beyond "benefit" (default: none). */
    void prepare(AttackWorld w) throws Exception {
        w.routes("");
    }

    @BeforeAll
    void start() throws Exception {
        dir = java.nio.file.Files.createTempDirectory("sekisho-" + getClass().getSimpleName());
        world = new AttackWorld(dir);
        prepare(world);
        catalogue = new Catalogue(world);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (catalogue != null) {
                catalogue.finish();
            }
        } finally {
            close();
        }
    }

    private void close() throws Exception {
        if (world != null) {
            world.close();
        }
        if (dir != null) {
            try (Stream<Path> s = java.nio.file.Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hostileInputIsRefusedAndAudited(HostileCase c) throws Exception {
        catalogue.check(c);
    }

    /** A case of this category. */
    HostileCase c(String name, HostileCase.Attack attack, Expected expected) {
        return new HostileCase(getClass().getSimpleName(), name, attack, expected);
    }
}
