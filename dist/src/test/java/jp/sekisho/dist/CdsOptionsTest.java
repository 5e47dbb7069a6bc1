package jp.sekisho.dist;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The options that map the archive the launchers train (sekisho-java.sh's cds_options, issue 18),
 * through bash with the real script. The training JVM is a stand-in that writes the file it is asked
 * for, so what is checked is the launcher's side: where the archive goes and how it is mapped.
 */
class CdsOptionsTest {

    @TempDir
    Path dir;

    /**
     * The AOT cache is trained on the quick tier, whose compilations are final. Replayed in a JVM
     * with the full JIT (a large send, seal or open, the agent), they kept SHA-256 and AES-GCM on C1
     * for good: a 1 GiB send --encrypted took 9.3 s instead of 4.5 s. So every command that maps the
     * cache maps it without the replay.
     */
    @Test
    void theAotCacheIsMappedWithoutReplayingItsTrainingsCompilations() throws Exception {
        Map<String, String> transfer = Map.of("CDS_KIND", "transfer", "JAVA_MAJOR", "25");
        Path cache = trained(transfer, ".aot");
        assertEquals(
                "-XX:AOTCache=" + cache + " -Xlog:aot=off -Xlog:cds=off"
                        + " -XX:+UnlockDiagnosticVMOptions -XX:-AOTReplayTraining",
                cdsOpts(transfer));
    }

    @Test
    void theClassDataArchiveAndAnOlderJavaGetNoAotOption() throws Exception {
        Map<String, String> older = Map.of("CDS_KIND", "transfer", "JAVA_MAJOR", "21");
        Path archive = trained(older, ".jsa");
        String opts = cdsOpts(older);
        assertEquals("-XX:SharedArchiveFile=" + archive + " -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off", opts);
        assertTrue(!opts.contains("AOT"), opts);
    }

    /**
     * The archive the first command trains in the background, with a stand-in java that only writes
     * the file it is asked for (-XX:AOTCacheOutput or -XX:ArchiveClassesAtExit); that first command
     * itself gets no archive option.
     */
    private Path trained(Map<String, String> env, String suffix) throws Exception {
        Path java = dir.resolve("jdk/bin/java");
        Files.createDirectories(java.getParent());
        Files.writeString(dir.resolve("jdk/release"), "JAVA_VERSION=\"25\"\n");
        Files.writeString(
                java,
                "#!/bin/bash\nfor a; do case $a in -XX:AOTCacheOutput=*|-XX:ArchiveClassesAtExit=*)"
                        + " echo archive > \"${a#*=}\" ;; esac; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.write(dir.resolve("sekisho.jar"), new byte[] {1});
        assertEquals("", cdsOpts(env), "none yet: it trains in the background");

        Path cds = dir.resolve("cds");
        return await().atMost(Duration.ofSeconds(20)).until(() -> archive(cds, suffix), found -> found != null);
    }

    /** The archive of that kind in {@code cds}, or null. */
    private static Path archive(Path cds, String suffix) throws IOException {
        if (!Files.isDirectory(cds)) {
            return null;
        }
        try (Stream<Path> files = Files.list(cds)) {
            return files.filter(p -> p.getFileName().toString().startsWith("sekisho-")
                            && p.getFileName().toString().endsWith(suffix))
                    .findFirst()
                    .orElse(null);
        }
    }

    /** What cds_opts prints for the stand-in java, dir/cds and dir/sekisho.jar. */
    private String cdsOpts(Map<String, String> env) throws Exception {
        return LauncherScript.call(
                "cds_opts",
                env,
                dir.resolve("jdk/bin/java").toString(),
                dir.resolve("cds").toString(),
                dir.resolve("sekisho.jar").toString());
    }
}
