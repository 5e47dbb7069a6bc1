package jp.sekisho.client.dummy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import jp.sekisho.client.Sekisho;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResidentGeneratorTest {

    @TempDir
    Path tmp;

    private static String csv(long seed, int count) throws IOException {
        StringWriter w = new StringWriter();
        new ResidentGenerator(seed).write(w, count);
        return w.toString();
    }

    @Test
    void sameSeedSameFileOtherSeedOtherFile() throws IOException {
        assertEquals(csv(7, 500), csv(7, 500));
        assertNotEquals(csv(7, 500), csv(8, 500));
    }

    @Test
    void headerIsDataItemCodesAndEveryRowIsMarkedDummy() throws IOException {
        List<String> lines = csv(158, 2000).lines().toList();
        assertEquals(String.join(",", ResidentGenerator.COLUMNS), lines.get(0));
        assertEquals(2001, lines.size());
        int name = ResidentGenerator.COLUMNS.indexOf("name");
        int holder = ResidentGenerator.COLUMNS.indexOf("account_holder");
        int phone = ResidentGenerator.COLUMNS.indexOf("phone");
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            assertEquals(ResidentGenerator.COLUMNS.size(), f.length, line);
            assertTrue(f[name].startsWith("DUMMY "), line);
            assertTrue(f[holder].startsWith("DUMMY "), line);
            assertTrue(f[phone].startsWith("00"), line);
            assertTrue(f[ResidentGenerator.COLUMNS.indexOf("birth_date")].matches("\\d{4}-\\d{2}-\\d{2}"), line);
            assertTrue(f[ResidentGenerator.COLUMNS.indexOf("account_number")].matches("\\d{7}"), line);
        }
    }

    @Test
    void theCommandWritesTheBenefitMailingSizedFile() throws Exception {
        Path out = tmp.resolve("residents.csv");
        assertEquals(0, Sekisho.run("dummy", "residents", "--count", "305115", "--out", out.toString()));
        long rows;
        try (var lines = Files.lines(out, StandardCharsets.UTF_8)) {
            rows = lines.count() - 1;
        }
        assertEquals(305_115, rows);
        Path again = tmp.resolve("again.csv");
        assertEquals(0, Sekisho.run("dummy", "residents", "--count", "305115", "--out", again.toString()));
        assertEquals(sha256(out), sha256(again), "seeded: the same command gives the same file");
        assertEquals(
                2,
                Sekisho.run(
                        "dummy",
                        "residents",
                        "--out",
                        tmp.resolve("no/such/dir.csv").toString()));
    }

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }
}
