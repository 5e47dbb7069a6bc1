package jp.sekisho.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The tarball `mvn package` built in this module (failsafe passes its path) and its unpacking. */
final class Release {

    private Release() {}

    static Path tarball() {
        Path t = Path.of(System.getProperty("sekisho.tarball", "target/sekisho-0.1.0-SNAPSHOT.tar.gz"));
        assertTrue(Files.isRegularFile(t), "the release tarball was built: " + t);
        return t;
    }

    static String version() {
        return System.getProperty("sekisho.version", "0.1.0-SNAPSHOT");
    }

    /** Unpacks the tarball into {@code dir} with the real tar and returns the release's top folder. */
    static Path unpack(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Proc.Result r = Proc.run(
                List.of("tar", "-xzf", tarball().toAbsolutePath().toString(), "-C", dir.toString()),
                Map.of("PATH", "/usr/bin:/bin"),
                dir,
                dir.resolve("../tar.log").normalize(),
                Duration.ofMinutes(1));
        assertEquals(0, r.code(), r.out());
        Path home = dir.resolve("sekisho-" + version());
        assertTrue(Files.isDirectory(home), "one top folder sekisho-VERSION: " + home);
        return home;
    }
}
