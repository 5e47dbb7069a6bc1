package jp.sekisho.audit.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.chain.ChainHasher;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.config.StoreConfig;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.json.Json;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.audit.read.AuditReader;
import jp.sekisho.audit.read.EventJson;
import jp.sekisho.audit.read.ExportFormat;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.audit.verify.ExportFileVerifier;
import jp.sekisho.audit.verify.VerifyResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chain hash of one fixed, awkward event, pinned. The value was computed with the code as it was
 * before the JSON parser became Jackson (the hand-written parser), so any drift in what the store
 * writes, what an export holds or what a reader parses back fails here: every stored chain depends on
 * these bytes staying the same. Also checked independently with Python (hashlib/struct) from the
 * layout documented in CanonicalEncoding. The event carries what tends to break encoders: CJK, quotes,
 * backslashes, tabs, CR/LF, a control character, U+2028/U+2029, a supplementary character, and a
 * detail whose JSON text is itself full of escapes.
 */
class PinnedChainHashTest {

    static final Instant T = Instant.parse("2026-04-01T09:30:00.123456Z");
    static final String NODE = "gw-pinned";
    /** Computed before the parser change; see the class comment. Do not update it to make a test pass. */
    static final String PINNED = "6c26f1597f88a128a571a1669308b67aeb3bf3162094303cd26f796ca68ba36d";

    static final String DETAIL =
            "{\"note\":\"tab\\t quote\\\" backslash\\\\ 改行\\n nul\\u0000 ls\\u2028 pair\\ud83d\\ude00\","
                    + "\"raw\":\"改行 \u2028 \u2029 \uD83D\uDE00 \u00e9 /\\/\",\"n\":[0,-1,2.50,-2.5e3,1E+2],"
                    + "\"deep\":{\"a\":{\"b\":[true,false,null,{},[]]}},\"empty\":\"\"}";

    static AuditEvent fixedEvent() {
        return AuditEvent.of(EventType.TRANSFER_REJECTED, Outcome.DENY)
                .reason("PAYLOAD_HASH_MISMATCH")
                .principal(new AuditPrincipal("CN=総務課 \"係\"\\,O=久留米市\tC=JP", "0a1b", "ff".repeat(32)))
                .source("2001:db8::1", 443)
                .listenerPort(8443)
                .routeId("kurume-benefit")
                .approvalRef("2総政第158号")
                .transferId("t-\\1\u0007")
                .bytes(57_226_123L)
                .payloadSha256("ab".repeat(32))
                .requestId("req\r\n\u2029end")
                .detailJson(DETAIL)
                .build();
    }

    @TempDir
    Path dir;

    @Test
    void theFixedEventHashesToThePinnedValueAndSurvivesAnExportLine() {
        AuditEvent e = fixedEvent();
        EventValidator.check(e); // a legal event: the store would take it
        String hash = new ChainHasher().hash(ChainHasher.GENESIS, NODE, 1, T, e);
        assertEquals(PINNED, hash, "the canonical encoding drifted");

        StringBuilder line = new StringBuilder();
        EventJson.event(line, new RecordedEvent(1, T, NODE, e, ChainHasher.GENESIS, hash));
        RecordedEvent back = EventJson.toEvent(Json.parseObject(line.toString()));
        assertEquals(e, back.event(), "an export line parses back to the same event");
        assertEquals(
                PINNED, new ChainHasher().hash(back.prevHash(), back.nodeId(), back.seq(), back.time(), back.event()));
    }

    @Test
    void theStoreWritesThePinnedHashAndItsExportVerifies() throws Exception {
        try (ExternalPostgres pg = ExternalPostgres.create();
                Database db = Database.open(StoreConfig.external(pg.url(), ExternalPostgres.APP_ROLE, null)
                        .withOwner("postgres", null))) {
            AuditSigningKey key = AuditSigningKey.loadOrCreate(dir.resolve("k.key"));
            BatchWriter writer = new BatchWriter(db.dataSource(), NODE, Duration.ofSeconds(15));
            Pending p = new Pending(fixedEvent(), T, null);
            p.take();
            BatchWriter.Result r = writer.write(List.of(p), 0, 1000, true);
            assertEquals(PINNED, r.head().hash(), "the writer's hot path (COPY, precomputed tail)");
            try (Connection c = pg.superuser();
                    Statement s = c.createStatement();
                    var rs =
                            s.executeQuery("SELECT hash FROM audit_event WHERE node_id = '" + NODE + "' AND seq = 1")) {
                rs.next();
                assertEquals(PINNED, rs.getString(1), "as stored");
            }
            Checkpointer cp = new Checkpointer(db.dataSource(), key, NODE, Duration.ofSeconds(5));
            cp.submit(1, PINNED);
            cp.flush(Duration.ofSeconds(10));
            cp.close();

            Path export = dir.resolve("pinned.jsonl");
            try (PostgresAuditLog reads = PostgresAuditLog.open(db, AuditSettings.defaults("gw-reader", dir), key)) {
                AuditReader reader = new AuditReader(db.dataSource(), reads);
                AuditPrincipal who = new AuditPrincipal("CN=auditor", null, null);
                List<RecordedEvent> found = reader.search(AuditQuery.all().node(NODE), who);
                assertEquals(fixedEvent(), found.get(0).event(), "read back from PostgreSQL unchanged");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                reader.export(AuditQuery.all().node(NODE), who, ExportFormat.JSONL, out);
                Files.write(export, out.toByteArray());
            }
            String eventLine = Files.readAllLines(export, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith("{\"record\":\"event\""))
                    .findFirst()
                    .orElseThrow();
            assertEquals(PINNED, Json.parseObject(eventLine).get("hash"));
            VerifyResult v = ExportFileVerifier.verify(export, key.publicKey());
            assertInstanceOf(VerifyResult.Ok.class, v, "the export verifies offline: " + v);
        }
    }
}
