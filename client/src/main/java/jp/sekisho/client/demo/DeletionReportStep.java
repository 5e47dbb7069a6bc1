package jp.sekisho.client.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jp.sekisho.audit.json.Json;

/**
 * After the acknowledgment (issue 16, item 4): the contractor lists what it received under
 * 2総政第158号, states when and how each file was deleted, signs the statement with its own key and
 * submits it; the gateway checks the signature and that the list is exactly what was delivered.
 */
final class DeletionReportStep {

    private DeletionReportStep() {}

    static void run(DemoConsole c, DemoLayout d, int transferPort) {
        c.step(
                "受託事業者が廃棄報告を提出 / The contractor reports the deletion",
                "受け取った転送の一覧に、それぞれをいつどう消去したかを書き、自分の鍵で署名します。"
                        + "ゲートウェイは配信したものと照合します\n"
                        + "a manifest of the transfers it received, when and how each was deleted, signed with its own key;"
                        + " the gateway checks it against what it delivered");
        String transfer = "https://127.0.0.1:" + transferPort;
        String contractor = d.cert("contractor", "p12").toString();
        String template = c.cliOutput(
                0,
                "deletion-report",
                "template",
                "--approval",
                DemoLayout.REF,
                "--gateway",
                transfer,
                "--identity",
                contractor);
        Path manifest = d.dir().resolve("deletion-report.json");
        write(manifest, filledIn(template));
        c.say("記入しました / filled in: " + manifest.getFileName() + " (deleted-at, method, responsible)");
        c.cli(
                0,
                "deletion-report",
                "submit",
                "--approval",
                DemoLayout.REF,
                "--file",
                manifest.toString(),
                "--gateway",
                transfer,
                "--identity",
                contractor);
    }

    /** The template with each transfer marked deleted now, by overwriting, and the person responsible. */
    static String filledIn(String template) {
        Map<?, ?> m = (Map<?, ?>) Json.parse(template.strip());
        String now = OffsetDateTime.now(ZoneId.of("Asia/Tokyo"))
                .truncatedTo(ChronoUnit.SECONDS)
                .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        List<Object> transfers = new ArrayList<>();
        for (Object o : (List<?>) m.get("transfers")) {
            Map<String, Object> t = new LinkedHashMap<>();
            ((Map<?, ?>) o).forEach((k, v) -> t.put((String) k, v));
            t.put("deleted-at", now);
            t.put("method", "上書き消去 / overwritten");
            transfers.add(t);
        }
        Map<String, Object> filled = new LinkedHashMap<>();
        filled.put("approval", m.get("approval"));
        filled.put("responsible", "DUMMY 情報システム課長 / head of information systems");
        filled.put("transfers", transfers);
        filled.put("note", "デモ / demo");
        return Json.write(filled);
    }

    private static void write(Path file, String json) {
        try {
            Files.writeString(file, json + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
