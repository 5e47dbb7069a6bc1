package jp.sekisho.client.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvFileTest {

    @TempDir
    Path dir;

    static long count(String csv) throws IOException {
        return CsvFile.countRecords(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void recordsAreLinesAfterTheHeaderWithQuotedLineBreaksInsideTheirField() throws IOException {
        assertEquals(2, count("name,address\nA,X\nB,Y\n"));
        assertEquals(2, count("name,address\r\nA,X\r\nB,Y\r\n"), "CRLF ends a record once");
        assertEquals(2, count("name,address\nA,X\nB,Y"), "a last record without a line break counts");
        assertEquals(
                2,
                count("name,address\nA,\"1丁目\n2番\"\nB,\"say \"\"hi\"\"\r\nthere\"\n"),
                "line breaks inside quotes do not end a record; \"\" is an escaped quote");
        assertEquals(2, count("name,address\n\nA,X\n\n\nB,Y\n\n"), "empty lines are not records");
        assertEquals(0, count("name,address\n"));
        assertEquals(0, count(""));
        assertEquals(1, count("\"na\nme\",address\nA,X\n"), "the header itself may hold a quoted line break");
    }

    /** The rule, one byte at a time: what the word-at-a-time count must agree with. */
    private static long referenceCount(byte[] data) {
        long lines = 0;
        boolean quoted = false;
        boolean content = false;
        for (byte b : data) {
            if (b == '"') {
                quoted = !quoted;
                content = true;
            } else if (b == '\n' || b == '\r') {
                if (!quoted && content) {
                    lines++;
                    content = false;
                }
            } else {
                content = true;
            }
        }
        return Math.max(0, lines + (content ? 1 : 0) - 1);
    }

    @Test
    void theWordAtATimeCountAgreesWithTheByteRuleAtEveryOffset() throws IOException {
        java.util.Random r = new java.util.Random(42);
        byte[] alphabet = "ab,1 \"\n\r\"\n".getBytes(StandardCharsets.US_ASCII);
        byte[] kanji = "久留米".getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 400; round++) {
            // sizes around the 8-byte words and the 64 KiB read buffer, specials sparse or dense
            int size = round < 200 ? r.nextInt(64) : 65536 - 40 + r.nextInt(80) + (round % 3) * 65536;
            int density = 1 + r.nextInt(round % 2 == 0 ? 4 : 200);
            byte[] data = new byte[size];
            for (int i = 0; i < size; i++) {
                data[i] = r.nextInt(density) == 0
                        ? alphabet[r.nextInt(alphabet.length)]
                        : r.nextInt(3) == 0 ? kanji[r.nextInt(kanji.length)] : (byte) ('A' + r.nextInt(26));
            }
            assertEquals(
                    referenceCount(data),
                    CsvFile.countRecords(new ByteArrayInputStream(data)),
                    "round " + round + ", " + size + " bytes");
        }
    }

    @Test
    void aWordMattersExactlyWhenOneOfItsBytesIsAQuoteOrALineBreak() {
        for (int b = 0; b < 256; b++) {
            boolean matters = b == '"' || b == '\n' || b == '\r';
            for (int pos = 0; pos < 8; pos++) {
                for (long filler : new long[] {0x6161616161616161L, 0L, 0xFFFFFFFFFFFFFFFFL, 0x0B0B0B0B0B0B0B0BL}) {
                    long word = (filler & ~(0xFFL << (8 * pos))) | ((long) b << (8 * pos));
                    // none of the fillers holds a quote or a line break
                    assertEquals(matters, CsvFile.mayMatter(word), "byte " + b + " at " + pos);
                }
            }
        }
        java.util.Random r = new java.util.Random(7);
        byte[] near = {0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x21, 0x22, 0x23, 0x00, (byte) 0x80, (byte) 0xa2, (byte) 0x8a
        };
        for (int i = 0; i < 200_000; i++) {
            long word = 0;
            boolean expected = false;
            for (int pos = 0; pos < 8; pos++) {
                int b = (r.nextBoolean() ? near[r.nextInt(near.length)] : r.nextInt(256)) & 0xFF;
                expected |= b == '"' || b == '\n' || b == '\r';
                word |= (long) b << (8 * pos);
            }
            assertEquals(expected, CsvFile.mayMatter(word), Long.toHexString(word));
        }
    }

    @Test
    void headerIsUnquotedTrimmedAndWithoutBom() throws IOException {
        Path f = dir.resolve("h.csv");
        Files.writeString(f, "\uFEFF氏名, \"住所\" ,\"a,b\",\"q\"\"x\"\r\n1,2,3,4\n");
        assertEquals(List.of("氏名", "住所", "a,b", "q\"x"), CsvFile.header(f));
        Files.writeString(f, "");
        assertEquals(List.of(), CsvFile.header(f));
    }

    static RouteTerms terms(String... items) {
        return new RouteTerms("kurume-benefit", "2総政第158号", List.of(items), 10, 1 << 20, false, List.of());
    }

    @Test
    void aColumnOutsideTheApprovalIsRefusedByName() {
        CliException e = assertThrows(
                CliException.class,
                () -> ItemsMap.identity().check(List.of("name", "address", "salary"), terms("name", "address")));
        assertEquals(ExitCode.REFUSED, e.exitCode());
        assertTrue(e.getMessage().startsWith("DATA_ITEM_NOT_APPROVED: column 'salary'"), e.getMessage());
        ItemsMap.identity().check(List.of("name", "address"), terms("name", "address"));
    }

    @Test
    void theItemsMapTranslatesJapaneseHeadersAndNamesTheColumnItRefuses() {
        ItemsMap map = ItemsMap.parse(List.of("# 給付金", "氏名=name", " 住所 = address ", "", "口座番号=account_number"), "m");
        map.check(List.of("氏名", "住所"), terms("name", "address"));
        CliException e =
                assertThrows(CliException.class, () -> map.check(List.of("氏名", "口座番号"), terms("name", "address")));
        assertTrue(
                e.getMessage().startsWith("DATA_ITEM_NOT_APPROVED: column '口座番号' (mapped to 'account_number')"),
                e.getMessage());
        CliException unmapped = assertThrows(CliException.class, () -> map.check(List.of("電話"), terms("name")));
        assertTrue(unmapped.getMessage().contains("column '電話'"), unmapped.getMessage());
        CliException bad = assertThrows(CliException.class, () -> ItemsMap.parse(List.of("氏名 name"), "m"));
        assertEquals(ExitCode.USAGE, bad.exitCode());
        assertThrows(CliException.class, () -> ItemsMap.parse(List.of("a=name", "a=address"), "m"));
    }
}
