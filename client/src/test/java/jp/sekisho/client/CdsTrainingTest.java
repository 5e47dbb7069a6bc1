package jp.sekisho.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import jp.sekisho.client.training.TrainingGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive's training run walks a real hand-off (a step that fails would silently leave the
 * archive smaller, so its two commands are held to succeed here), and leaves nothing behind.
 */
class CdsTrainingTest {

    @Test
    void theTrainingSendAndReceiveSucceedAgainstTheTrainingGateway(@TempDir Path dir) throws Exception {
        StringWriter said = new StringWriter();
        CdsTraining.Codes codes = CdsTraining.handOff(dir, new PrintWriter(said, true));
        assertEquals(new CdsTraining.Codes(0, 0), codes, said.toString());
        assertArrayEquals(
                Files.readAllBytes(dir.resolve(TrainingGateway.FILE)),
                Files.readAllBytes(dir.resolve("inbox").resolve(TrainingGateway.FILE)),
                "what was sent came out of the receive");
    }

    @Test
    void theGatewayIsNamedWithoutLoadingIt() {
        assertEquals(TrainingGateway.class.getName(), CdsTraining.GATEWAY_CLASS);
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
