package jp.sekisho.gateway.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RelayPathTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/payroll/../admin",
                "/payroll/%2e%2e/admin",
                "/payroll/%2E./admin",
                "/payroll/..;x/admin",
                "/payroll/./list",
                "/payroll/%2fadmin",
                "/payroll%2F..%2Fadmin",
                "/payroll/%5c..%5cadmin",
                "/payroll\\..\\admin",
                "//admin",
                "/payroll//list",
                "/payroll/%ff",
                "/payroll/%0a",
                "payroll"
            })
    void aPathTwoServersCouldReadDifferentlyIsRefused(String path) {
        assertInstanceOf(RelayPath.Judged.Invalid.class, RelayPath.judge(path), path);
    }

    @Test
    void anOrdinaryPathIsComparedDecoded() {
        assertEquals(new RelayPath.Judged.Ok("/payroll/"), RelayPath.judge("/pay%72oll/"));
        assertEquals(new RelayPath.Judged.Ok("/給与/一覧"), RelayPath.judge("/%E7%B5%A6%E4%B8%8E/%E4%B8%80%E8%A6%A7"));
        assertEquals(new RelayPath.Judged.Ok("/"), RelayPath.judge("/"));
        assertEquals(new RelayPath.Judged.Ok("/a..b/c.d"), RelayPath.judge("/a..b/c.d"));
    }

    @Test
    void onlyTheQuerysNamesAreKept() {
        assertEquals(
                List.of("id", "page", "氏名"),
                RelayPath.queryNames("id=12345&page=2&id=9&%E6%B0%8F%E5%90%8D=%E5%B1%B1%E7%94%B0"));
        assertEquals(List.of(), RelayPath.queryNames(""));
        assertEquals(List.of("flag"), RelayPath.queryNames("flag&&"));
    }
}
