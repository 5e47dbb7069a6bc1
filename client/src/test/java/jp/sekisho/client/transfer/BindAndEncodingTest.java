package jp.sekisho.client.transfer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.cli.CliException;
import jp.sekisho.client.CliRun;
import jp.sekisho.client.dummy.ResidentGenerator;
import jp.sekisho.client.support.HandOffWorld;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code send --bind} and {@code --encoding} against a real gateway on PostgreSQL: the route allows
 * 127.0.0.2 only (Linux's loopback answers on all of 127/8), so the transfer listener refuses
 * 127.0.0.1 before TLS; a Shift_JIS (CP932) CSV with Japanese column names, extension characters
 * included, passes the approval check through a Shift_JIS items map.
 */
class BindAndEncodingTest {

    @TempDir
    static Path dir;

    static HandOffWorld world;
    static final String ROUTE = "bind-route";
    static final Charset CP932 = Charset.forName("windows-31j");
    static Path csv;
    static Path map;

    @BeforeAll
    static void start() throws Exception {
        world = HandOffWorld.start(dir, new HandOffWorld.Approval("3総政第19号", ROUTE, "複数アドレスの庁舎から", 100, "承認"));
        Path routes = dir.resolve("routes-127-0-0-2.yml");
        Files.writeString(routes, """
                routes:
                  - id: %s
                    listener: transfer
                    approval: 3総政第19号
                    senders:   [{ subject: "CN=city-sender,O=Sekisho", allow: [127.0.0.2/32] }]
                    receivers: [{ subject: "CN=contractor,O=Sekisho", allow: [127.0.0.2/32] }]
                    recipients: [certs/contractor-enc.pem]
                """.formatted(ROUTE));
        HandOffWorld.ok(world.admin("operator", "routes", "apply", routes.toString()));
        await("127.0.0.1 refused before TLS once the route allows 127.0.0.2 only")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    try {
                        world.client("city-sender").get("api/v1/routes/" + ROUTE + "/terms");
                        return false;
                    } catch (CliException e) {
                        return e.getMessage().startsWith("IP_NOT_ALLOWED");
                    }
                });
        // column names in Japanese, with NEC extension characters (①) and an IBM one (髙) that Java's
        // strict Shift_JIS lacks; the items map in the same encoding
        List<String> columns = ResidentGenerator.COLUMNS;
        List<String> japanese = new ArrayList<>();
        StringBuilder mapText = new StringBuilder("# 列名=データ項目コード\n");
        for (int i = 0; i < columns.size(); i++) {
            String jp = i == 0 ? "①住民コード" : i == 2 ? "氏名（髙）" : "項目" + (i + 1);
            japanese.add(jp);
            mapText.append(jp).append('=').append(columns.get(i)).append("\r\n");
        }
        csv = dir.resolve("residents-sjis.csv");
        String row = String.join(",", java.util.Collections.nCopies(columns.size(), "髙橋①"));
        Files.write(csv, (String.join(",", japanese) + "\r\n" + row + "\r\n" + row + "\r\n").getBytes(CP932));
        map = dir.resolve("items-sjis.map");
        Files.write(map, mapText.toString().getBytes(CP932));
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) {
            world.close();
        }
    }

    static CliRun send(String... more) {
        List<String> a = new ArrayList<>(List.of(
                "send",
                "--gateway",
                world.gw.url("transfer", ""),
                "--route",
                ROUTE,
                "--identity",
                world.pki.dir().resolve("city-sender.p12").toString(),
                "--file",
                csv.toString(),
                "--items-map",
                map.toString()));
        a.addAll(List.of(more));
        return CliRun.of(a.toArray(String[]::new));
    }

    @Test
    void withoutBindTheAddressIsRefusedBeforeTls() {
        CliRun r = send("--encoding", "Shift_JIS");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().startsWith("sekisho send: IP_NOT_ALLOWED: "), r.toString());
    }

    @Test
    void withBindAShiftJisCsvIsSent() {
        CliRun r = send("--bind", "127.0.0.2", "--encoding", "Shift_JIS");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("records:   2\n") && r.out().contains("route:     " + ROUTE), r.toString());
    }

    @Test
    void theWrongEncodingNamesTheLine() {
        CliRun r = send("--bind", "127.0.0.2"); // UTF-8 by default
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("items-sjis.map line 1") && r.err().contains("not valid UTF-8 text"), r.toString());
        assertTrue(!r.err().contains("Input length"), r.toString());
    }

    @Test
    void autoDetectsShiftJis() {
        CliRun r = send("--bind", "127.0.0.2", "--encoding", "auto", "--restart");
        assertEquals(0, r.code(), r.toString());
    }

    @Test
    void bindToAnAddressNotOfThisHostIsAnInputError() {
        CliRun r = send("--bind", "192.0.2.77", "--encoding", "Shift_JIS");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("not an address of this host"), r.toString());
    }
}
