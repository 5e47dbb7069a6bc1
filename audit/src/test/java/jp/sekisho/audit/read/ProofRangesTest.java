package jp.sekisho.audit.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.audit.support.TestEvents;
import jp.sekisho.audit.verify.ExportFileVerifier;
import jp.sekisho.audit.verify.VerifyResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A filtered JSON Lines export verifies offline (issue 13: the auditor filters to a refusal and
 * verifies what was downloaded), and the proof it carries still catches a changed match, a changed
 * neighbour, a removed match and a stretch that no longer reaches its signed checkpoint.
 */
class ProofRangesTest {

    static final AuditPrincipal AUDITOR = new AuditPrincipal("CN=proof-ranges-test", null, null);

    static ExternalPostgres pg;

    @TempDir
    static Path dir;

    static AuditStore store;
    static PublicKey key;

    @BeforeAll
    static void seed() throws Exception {
        pg = ExternalPostgres.create();
        store = pg.openStore(dir, "proof-gw", 10);
        for (int i = 0; i < 95; i++) {
            store.log()
                    .commit(
                            i == 37 || i == 52
                                    ? TestEvents.denied(i, "APPROVAL_SUSPENDED", "10.1.2.3")
                                    : TestEvents.allowed(i));
        }
        key = AuditSigningKey.readPublicKey(dir.resolve("data/audit-signing.pub.pem"));
    }

    @AfterAll
    static void drop() throws Exception {
        store.close();
        pg.close();
    }

    static List<String> export(AuditQuery q) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.reader().export(q, AUDITOR, ExportFormat.JSONL, out);
        return new ArrayList<>(List.of(out.toString(StandardCharsets.UTF_8).split("\n")));
    }

    static VerifyResult verify(List<String> lines, String name) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n");
        return ExportFileVerifier.verify(f, key);
    }

    static int lineOfEvent(List<String> lines, long seq) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("\"record\":\"event\"") && lines.get(i).contains("\"seq\":" + seq + ",")) {
                return i;
            }
        }
        throw new AssertionError("no event #" + seq);
    }

    @Test
    void aFilteredExportCarriesTheSignedStretchOfChainAroundItsMatchesAndVerifies() throws Exception {
        List<String> lines = export(AuditQuery.all().reason("APPROVAL_SUSPENDED"));
        String header = lines.get(0);
        assertTrue(header.contains("\"proof\":\"ranges\"") && header.contains("\"matches\":2"), header);
        // the two matches are #38 and #53: from after the checkpoint at #30 to the one at #60
        assertTrue(header.contains("\"from\":31") && header.contains("\"to\":60"), header);
        assertEquals(
                30,
                lines.stream().filter(l -> l.contains("\"record\":\"event\"")).count());
        assertInstanceOf(VerifyResult.Ok.class, verify(lines, "filtered.jsonl"));
    }

    @Test
    void theProofStillCatchesWhatWasChangedOrLeftOut() throws Exception {
        List<String> base = export(AuditQuery.all().reason("APPROVAL_SUSPENDED"));

        List<String> changedMatch = new ArrayList<>(base);
        int m = lineOfEvent(changedMatch, 38);
        changedMatch.set(m, changedMatch.get(m).replace("10.1.2.3", "10.1.2.4"));
        assertFalse(verify(changedMatch, "changed-match.jsonl").ok());

        List<String> changedNeighbour = new ArrayList<>(base);
        int n = lineOfEvent(changedNeighbour, 45);
        assertTrue(changedNeighbour.get(n).contains("quote"), changedNeighbour.get(n));
        changedNeighbour.set(n, changedNeighbour.get(n).replace("quote", "QUOTE")); // its detail, not a match
        assertFalse(verify(changedNeighbour, "changed-neighbour.jsonl").ok());

        List<String> removed = new ArrayList<>(base);
        removed.remove(lineOfEvent(removed, 53));
        assertFalse(verify(removed, "removed.jsonl").ok());

        List<String> unanchored = new ArrayList<>(base); // the stretch no longer starts after a checkpoint
        unanchored.remove(lineOfEvent(unanchored, 31));
        assertFalse(verify(unanchored, "unanchored.jsonl").ok());
    }

    @Test
    void anUnfilteredExportIsTheWholeChainAsBefore() throws Exception {
        List<String> lines = export(AuditQuery.all());
        assertFalse(lines.get(0).contains("\"proof\""), lines.get(0));
        assertInstanceOf(VerifyResult.Ok.class, verify(lines, "whole.jsonl"));
    }
}
