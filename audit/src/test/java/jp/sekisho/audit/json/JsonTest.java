package jp.sekisho.audit.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void quotedStringsParseBackExactly() {
        String tricky = "tab\t \"q\" \\ 改行\n \u0001 \u2028 end";
        assertEquals(tricky, Json.parse(Json.quote(new StringBuilder(), tricky).toString()));
    }

    @Test
    void parsesNestedValues() {
        assertEquals(Map.of("a", List.of(new BigDecimal("1"), new BigDecimal("-2.5e3")), "b", Map.of("c", true)),
                Json.parse("{\"a\": [1, -2.5e3], \"b\": {\"c\": true}}"));
    }

    @Test
    void rejectsMalformedJson() {
        for (String bad : List.of("{", "{\"a\":}", "[1,]", "01", "1.", "\"unterminated", "{\"a\":1} x", "nul", "-")) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        }
    }
}
