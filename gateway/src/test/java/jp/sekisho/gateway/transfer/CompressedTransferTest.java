package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.json.Json;
import jp.sekisho.certs.Identities;
import jp.sekisho.envelope.Compression;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.envelope.Sealer;
import jp.sekisho.gateway.route.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compressed envelopes (RFC 3274 inside the encryption) through the real gateway: accepted on a route
 * that allows compression, refused as COMPRESSION_NOT_ALLOWED (audited, nothing left in the spool) on
 * one with {@code compression: false}, and refused for a wrong recipient exactly as an uncompressed
 * one is; the route's flag from routes.yml through storage (sealed) to the terms the client reads.
 */
class CompressedTransferTest {

    @TempDir
    static Path dir;

    static TransferWorld w;
    static TusClient sender;
    static Path csv;

    @BeforeAll
    static void start() throws Exception {
        w = new TransferWorld(dir);
        w.approve("R-open", 100_000);
        w.approve("R-stock", 100_000);
        w.routes("routes:\n" + TransferWorld.route("open", "R-open", null)
                + TransferWorld.route("stock", "R-stock", null) + "    compression: false\n");
        sender = w.client("city-sender");
        csv = dir.resolve("residents.csv");
        Files.writeString(csv, "住民番号,氏名,住所\n00000001,山田 太郎,福岡県久留米市城南町1丁目\n".repeat(20_000));
    }

    @AfterAll
    static void stop() throws Exception {
        w.close();
    }

    private static Path sealCompressed(String name, String recipient) throws Exception {
        Path out = dir.resolve(name);
        try (InputStream in = Files.newInputStream(csv);
                OutputStream os = Files.newOutputStream(out)) {
            Sealer.seal(
                    in,
                    os,
                    Identities.load(w.pki.dir().resolve("city-sender.p12"), new char[0]),
                    List.of(w.certificate(recipient)),
                    ContentCipher.AES_256_GCM,
                    Compression.DEFAULT_LEVEL);
        }
        assertTrue(Files.size(out) < Files.size(csv) / 4, "compressed: " + Files.size(out));
        return out;
    }

    private static HttpResponse<String> upload(String route, Path file) throws Exception {
        HttpResponse<String> created = sender.create(
                route, Files.size(file), TusClient.metadata("residents.csv", TusClient.sha256(file), 20_000));
        assertEquals(201, created.statusCode(), created.body());
        String loc = created.headers().firstValue("Location").orElseThrow();
        return sender.patch(loc, file, 0, Files.size(file), false);
    }

    private static String idOf(HttpResponse<String> r) {
        String path = r.request().uri().getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    @Test
    void compressedIsStoredWhereTheRouteAllowsIt() throws Exception {
        HttpResponse<String> r = upload("open", sealCompressed("open.cms", "contractor-enc"));
        assertEquals(204, r.statusCode(), r.body());
        assertNotNull(w.gw.awaitEvent(
                EventType.TRANSFER_STORED, e -> idOf(r).equals(e.event().transferId())));
    }

    @Test
    void compressedIsRefusedAndAuditedOnARouteWithoutCompression() throws Exception {
        HttpResponse<String> r = upload("stock", sealCompressed("stock.cms", "contractor-enc"));
        assertEquals(422, r.statusCode(), r.body());
        assertEquals("COMPRESSION_NOT_ALLOWED", Json.parseObject(r.body()).get("reason"), r.body());
        String id = idOf(r);
        RecordedEvent e = w.gw.awaitEvent(
                EventType.TRANSFER_REJECTED, ev -> id.equals(ev.event().transferId()));
        assertNotNull(e);
        assertEquals("COMPRESSION_NOT_ALLOWED", e.event().reason());
        assertEquals(List.of(), w.spoolFiles(w.gw.gateway.config().dataDir(), id));
        // an uncompressed envelope goes through the same route
        Path plain = w.seal("stock-plain.cms", 200_000, "contractor-enc", ContentCipher.AES_256_GCM);
        assertEquals(204, upload("stock", plain).statusCode());
    }

    @Test
    void compressedForAWrongRecipientIsRefusedAsBefore() throws Exception {
        for (String route : List.of("open", "stock")) {
            HttpResponse<String> r = upload(route, sealCompressed("stranger-" + route + ".cms", "stranger-enc"));
            assertEquals(422, r.statusCode(), r.body());
            assertEquals("PAYLOAD_WRONG_RECIPIENT", Json.parseObject(r.body()).get("reason"), r.body());
        }
    }

    @Test
    void theFlagRoundTripsThroughStorageAndTerms() throws Exception {
        // as loaded from the database and its seal verified: a wrong seal would leave the route out
        Route stock = w.gw.gateway.policy().watcher().current().routes().get("stock");
        Route open = w.gw.gateway.policy().watcher().current().routes().get("open");
        assertEquals(false, stock.compression());
        assertEquals(true, open.compression());
        HttpResponse<String> terms = sender.get("/api/v1/routes/stock/terms");
        assertEquals(200, terms.statusCode(), terms.body());
        assertEquals(false, Json.parseObject(terms.body()).get("compression"), terms.body());
        HttpResponse<String> openTerms = sender.get("/api/v1/routes/open/terms");
        assertEquals(true, Json.parseObject(openTerms.body()).get("compression"), openTerms.body());
        assertTrue(new String(Files.readAllBytes(dir.resolve("routes.yml")), StandardCharsets.UTF_8)
                .contains("compression: false"));
    }
}
