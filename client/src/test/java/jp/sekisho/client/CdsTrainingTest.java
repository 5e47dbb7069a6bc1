package jp.sekisho.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive's training run walks the whole hand-off for real (a failing step would silently leave
 * the archive smaller, so the steps are run here without the run's safety net), and leaves nothing.
 */
class CdsTrainingTest {

    @Test
    void everyStepOfTheTrainingHandOffRuns(@TempDir Path dir) throws Exception {
        CdsTraining.handOff(dir);
        assertTrue(Files.isRegularFile(dir.resolve("training.csv")), "the envelope was sealed and opened");
        assertEquals(
                "氏名,住所\nDUMMY 山田 太郎,久留米市\n", Files.readString(dir.resolve("training.csv")), "what was sealed came out");
    }

    @Test
    void theRunLeavesNoTemporaryFolder() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before = trainingFolders(tmp);
        assertEquals(0, CdsTraining.run());
        assertEquals(before, trainingFolders(tmp));
    }

    private static long trainingFolders(Path tmp) throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("sekisho-cds-training"))
                    .count();
        }
    }
}
