package jp.sekisho.client.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import org.junit.jupiter.api.Test;

/** A refusal the gateway answers reads in Japanese first: the reason's Japanese, then the gateway's detail. */
class ProblemMessageTest {

    @Test
    void aKnownReasonGetsItsJapaneseBeforeTheDetail() {
        CliException e = GatewayClient.problem(new GatewayClient.Response(
                403, "{\"reason\":\"RECORDS_OVER_APPROVAL\",\"detail\":\"12 records declared, 10 approved\"}"));
        assertEquals("RECORDS_OVER_APPROVAL: 承認件数超過。 12 records declared, 10 approved", e.getMessage());
        assertEquals(ExitCode.REFUSED, e.exitCode());
    }

    @Test
    void anUnknownReasonOrNoDetailStaysAsItCame() {
        assertEquals(
                "SOMETHING_NEW: detail",
                GatewayClient.problem(
                                new GatewayClient.Response(409, "{\"reason\":\"SOMETHING_NEW\",\"detail\":\"detail\"}"))
                        .getMessage());
        assertEquals(
                "HTTP_503: not json",
                GatewayClient.problem(new GatewayClient.Response(503, "not json"))
                        .getMessage());
    }
}
