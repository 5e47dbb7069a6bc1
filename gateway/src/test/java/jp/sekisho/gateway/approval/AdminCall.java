package jp.sekisho.gateway.approval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.Procs;

/** One admin API call with the real curl over mutual TLS, as the holder of {@code client}. */
record AdminCall(int status, String body) {

    static AdminCall send(Path caFile, Credential client, String method, String url, String json) {
        List<String> cmd = new ArrayList<>(List.of(
                "curl",
                "-sS",
                "--max-time",
                "10",
                "--cacert",
                caFile.toString(),
                "--cert",
                client.certificateFile().toString(),
                "--key",
                client.keyFile().toString(),
                "-X",
                method,
                "-w",
                "\n%{http_code}"));
        if (json != null) {
            cmd.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", json));
        }
        cmd.add(url);
        Procs.Result r = Procs.run(20, cmd.toArray(new String[0]));
        String out = r.out();
        int nl = out.lastIndexOf('\n');
        int status;
        try {
            status = Integer.parseInt(out.substring(nl + 1).trim());
        } catch (NumberFormatException e) {
            status = -1;
        }
        return new AdminCall(status, nl < 0 ? out : out.substring(0, nl));
    }

    /** A consultation as JSON, valid from yesterday for 30 days. */
    static String draftJson(String ref) {
        java.time.LocalDate today = java.time.LocalDate.now(ApprovalState.TOKYO);
        return "{\"ref\":\"" + ref + "\",\"title\":\"住民情報の提供\",\"legalBasis\":\"条例第10条第1項第2号\","
                + "\"departments\":[\"市民課\"],\"contractor\":\"株式会社テスト\",\"subcontractors\":[],"
                + "\"dataItems\":[\"name\",\"address\"],\"maxRecords\":1000,\"validFrom\":\"" + today.minusDays(1)
                + "\",\"validUntil\":\"" + today.plusDays(30) + "\",\"meetingRef\":\"第3回審議会\"}";
    }
}
