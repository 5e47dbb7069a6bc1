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
