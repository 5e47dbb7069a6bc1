package jp.sekisho.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The options that map the archive the launchers train (sekisho-java.sh's cds_options, issue 18),
 * through bash with the real script. The training JVM is a stand-in that writes the file it is asked
 * for, so what is checked is the launcher's side: where the archive goes and how it is mapped.
 */
class CdsOptionsTest {

    private static final Path SCRIPT = Path.of("src/lib/sekisho-java.sh").toAbsolutePath();

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
        Path java = standInJava();
        Path jar = Files.write(dir.resolve("sekisho.jar"), new byte[] {1});
        Path cds = dir.resolve("cds");
        Map<String, String> transfer = Map.of("CDS_KIND", "transfer", "JAVA_MAJOR", "25");

        assertEquals("", cdsOpts(transfer, java, cds, jar), "none yet: it trains in the background");
        Path cache = awaitArchive(cds, ".aot");
        assertEquals(
                "-XX:AOTCache=" + cache + " -Xlog:aot=off -Xlog:cds=off"
                        + " -XX:+UnlockDiagnosticVMOptions -XX:-AOTReplayTraining",
                cdsOpts(transfer, java, cds, jar));
    }

    @Test
    void theClassDataArchiveAndAnOlderJavaGetNoAotOption() throws Exception {
        Path java = standInJava();
        Path jar = Files.write(dir.resolve("sekisho.jar"), new byte[] {1});
        Path cds = dir.resolve("cds");
        Map<String, String> older = Map.of("CDS_KIND", "transfer", "JAVA_MAJOR", "21");

        assertEquals("", cdsOpts(older, java, cds, jar));
        Path archive = awaitArchive(cds, ".jsa");
        String opts = cdsOpts(older, java, cds, jar);
        assertEquals("-XX:SharedArchiveFile=" + archive + " -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off", opts);
        assertTrue(!opts.contains("AOT"), opts);
    }

    /** A java that only writes the archive it is asked to (-XX:AOTCacheOutput or -XX:ArchiveClassesAtExit). */
    private Path standInJava() throws Exception {
        Path java = dir.resolve("jdk/bin/java");
        Files.createDirectories(java.getParent());
        Files.writeString(dir.resolve("jdk/release"), "JAVA_VERSION=\"25\"\n");
        Files.writeString(
                java,
                "#!/bin/bash\nfor a; do case $a in -XX:AOTCacheOutput=*|-XX:ArchiveClassesAtExit=*)"
                        + " echo archive > \"${a#*=}\" ;; esac; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return java;
    }

    private static Path awaitArchive(Path cds, String suffix) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(cds)) {
                try (Stream<Path> files = Files.list(cds)) {
                    List<Path> found = files.filter(
                                    p -> p.getFileName().toString().startsWith("sekisho-")
                                            && p.getFileName().toString().endsWith(suffix))
                            .toList();
                    if (!found.isEmpty()) {
                        return found.get(0);
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + suffix + " archive in " + cds);
    }

    /** What cds_opts prints, under the launchers' set -euo pipefail. */
    private static String cdsOpts(Map<String, String> env, Path java, Path cds, Path jar) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "bash",
                "-c",
                "set -euo pipefail; . \"$0\"; launch=(-jar \"$3\"); cds_opts \"$@\"",
                SCRIPT.toString(),
                java.toString(),
                cds.toString(),
                jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("SEKISHO_JAVA_OPTS");
        pb.environment().remove("SEKISHO_CDS");
        pb.environment().remove("JAVA_MAJOR");
        pb.environment().remove("CDS_KIND");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("cds_opts did not finish");
        }
        assertEquals(0, p.exitValue(), "cds_opts failed: " + out);
        return out;
    }
}
