package jp.sekisho.gateway.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

/**
 * tus headers, each in its malformed forms: Tus-Resumable, Upload-Length / Upload-Defer-Length,
 * Upload-Metadata (sha256, records, filename), Upload-Offset, Content-Type, Upload-Checksum and a
 * PATCH's own declarations. Filenames follow issue 12's one rule (FILENAME_INVALID).
 */
class TusHeaderAttacksTest extends AttackCategory {

    private static final String UPLOADS = "/api/v1/routes/benefit/uploads";
    private static final String SHA = "0".repeat(64);
    private static final String OCTETS = "application/offset+octet-stream";

    /** An upload created before the cases: the target of every PATCH. */
    private String upload;

    @Override
    void prepare(AttackWorld w) throws Exception {
        super.prepare(w);
        Answer a = RawHttps.send(
                w.tls("city-sender"),
                "127.0.0.1",
                w.port("transfer"),
                Req.of(
                        "POST",
                        UPLOADS,
                        "",
                        "Tus-Resumable",
                        "1.0.0",
                        "Upload-Length",
                        "10",
                        "Upload-Metadata",
                        meta("a.cms", SHA, "1")));
        assertEquals(201, a.status(), a.toString());
        upload = a.headers().get("location");
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String meta(String filename, String sha, String records) {
        return "filename " + b64(filename) + ",sha256 " + b64(sha) + ",records " + b64(records);
    }

    private HostileCase create(String name, Expected expected, String... headers) {
        return c(
                "creation: " + name,
                w -> RawHttps.send(
                        w.tls("city-sender"), "127.0.0.1", w.port("transfer"), Req.of("POST", UPLOADS, "", headers)),
                expected);
    }

    private HostileCase createWith(String name, String length, String metadata, Expected expected) {
        return create(name, expected, "Tus-Resumable", "1.0.0", "Upload-Length", length, "Upload-Metadata", metadata);
    }

    private HostileCase patch(String name, Expected expected, String body, String... headers) {
        return c(
                "PATCH: " + name,
                w -> RawHttps.send(
                        w.tls("city-sender"), "127.0.0.1", w.port("transfer"), Req.of("PATCH", upload, body, headers)),
                expected);
    }

    private HostileCase patchWith(String name, Expected expected, String... more) {
        String[] h = new String[6 + more.length];
        System.arraycopy(
                new String[] {"Tus-Resumable", "1.0.0", "Upload-Offset", "0", "Content-Type", OCTETS}, 0, h, 0, 6);
        System.arraycopy(more, 0, h, 6, more.length);
        return patch(name, expected, "x", h);
    }

    @Override
    Stream<HostileCase> cases() {
        List<HostileCase> l = new ArrayList<>();
        Expected version = Expected.refused(412, "TUS_VERSION_UNSUPPORTED");
        Expected invalid = Expected.refused(400, "METADATA_INVALID");
        Expected filename = Expected.refused(400, "FILENAME_INVALID");
        String ok = meta("a.cms", SHA, "1");
        // Tus-Resumable
        l.add(create("no Tus-Resumable", version, "Upload-Length", "10", "Upload-Metadata", ok));
        for (String v : List.of("0.2.2", "1.0", "1.0.0.0", "", "1.0.0, 0.2.2", "v1.0.0", "１.０.０")) {
            l.add(create(
                    "Tus-Resumable '" + v + "'",
                    version,
                    "Tus-Resumable",
                    v,
                    "Upload-Length",
                    "10",
                    "Upload-Metadata",
                    ok));
        }
        // Upload-Length and Upload-Defer-Length
        for (String v :
                List.of("-1", "abc", "1e3", "", "0x10", "99999999999999999999", "10 10", "10.0", "1_000", "-0x1")) {
            l.add(createWith("Upload-Length '" + v + "'", v, ok, invalid));
        }
        l.add(create(
                "neither Upload-Length nor Upload-Defer-Length",
                invalid,
                "Tus-Resumable",
                "1.0.0",
                "Upload-Metadata",
                ok));
        l.add(create(
                "both Upload-Length and Upload-Defer-Length",
                invalid,
                "Tus-Resumable",
                "1.0.0",
                "Upload-Length",
                "10",
                "Upload-Defer-Length",
                "1",
                "Upload-Metadata",
                ok));
        for (String v : List.of("0", "2", "yes", "-1")) {
            l.add(create(
                    "Upload-Defer-Length '" + v + "'",
                    invalid,
                    "Tus-Resumable",
                    "1.0.0",
                    "Upload-Defer-Length",
                    v,
                    "Upload-Metadata",
                    ok));
        }
        l.add(createWith(
                "Upload-Length over the route's limit",
                "999999999999999",
                ok,
                Expected.refused(413, "PAYLOAD_TOO_LARGE")));
        // Upload-Metadata
        l.add(create("no Upload-Metadata", invalid, "Tus-Resumable", "1.0.0", "Upload-Length", "10"));
        l.add(createWith(
                "sha256 not base64", "10", "filename " + b64("a.cms") + ",sha256 !!!,records " + b64("1"), invalid));
        l.add(createWith("sha256 of 63 hex digits", "10", meta("a.cms", SHA.substring(1), "1"), invalid));
        l.add(createWith("sha256 of 64 non-hex characters", "10", meta("a.cms", "g".repeat(64), "1"), invalid));
        l.add(createWith(
                "sha256 key without a value",
                "10",
                "filename " + b64("a.cms") + ",sha256,records " + b64("1"),
                invalid));
        l.add(createWith("a key twice", "10", ok + ",records " + b64("2"), invalid));
        l.add(createWith("records missing", "10", "filename " + b64("a.cms") + ",sha256 " + b64(SHA), invalid));
        for (String r : List.of("-1", "1e3", "ten", "", "0x10", "99999999999999999999", "1 2")) {
            l.add(createWith("records '" + r + "'", "10", meta("a.cms", SHA, r), invalid));
        }
        l.add(createWith(
                "records over the approval's maximum",
                "10",
                meta("a.cms", SHA, "5000"),
                Expected.refused(403, "RECORDS_OVER_APPROVAL")));
        // filenames: one rule (no separators, . or .., controls, bidi overrides; at most 255 bytes)
        String[][] names = {
            {"..", ".."},
            {".", "."},
            {"/", "/"},
            {"a/b", "a/b"},
            {"a\\b", "a\\b"},
            {"../../etc/passwd", "../../etc/passwd"},
            {"NUL", "a\u0000b"},
            {"CR LF", "a\r\nb"},
            {"ESC", "a\u001b[31mb"},
            {"BEL", "a\u0007b"},
            {"DEL", "a\u007fb"},
            {"C1 NEL", "a\u0085b"},
            {"C1 CSI", "a\u009bb"},
            {"RLO", "invoice\u202Efdp.exe"},
            {"LRI", "a\u2066b"},
            {"256 ASCII bytes", "a".repeat(256)},
            {"258 UTF-8 bytes in 86 characters", "あ".repeat(86)}
        };
        for (String[] n : names) {
            l.add(createWith("filename " + n[0], "10", meta(n[1], SHA, "1"), filename));
        }
        // PATCH
        l.add(patch("no Tus-Resumable", version, "x", "Upload-Offset", "0", "Content-Type", OCTETS));
        l.add(patch(
                "Tus-Resumable 0.2.2",
                version,
                "x",
                "Tus-Resumable",
                "0.2.2",
                "Upload-Offset",
                "0",
                "Content-Type",
                OCTETS));
        for (String ct : List.of("text/plain", "application/octet-stream", "multipart/form-data; boundary=x", "")) {
            l.add(patch(
                    "Content-Type '" + ct + "'",
                    Expected.refused(415, "UNSUPPORTED_MEDIA_TYPE"),
                    "x",
                    "Tus-Resumable",
                    "1.0.0",
                    "Upload-Offset",
                    "0",
                    "Content-Type",
                    ct));
        }
        l.add(patch(
                "no Content-Type",
                Expected.refused(415, "UNSUPPORTED_MEDIA_TYPE"),
                "x",
                "Tus-Resumable",
                "1.0.0",
                "Upload-Offset",
                "0"));
        for (String off : List.of("-1", "abc", "", "99999999999999999999", "0x0", "1.5")) {
            l.add(patch(
                    "Upload-Offset '" + off + "'",
                    invalid,
                    "x",
                    "Tus-Resumable",
                    "1.0.0",
                    "Upload-Offset",
                    off,
                    "Content-Type",
                    OCTETS));
        }
        l.add(patch("no Upload-Offset", invalid, "x", "Tus-Resumable", "1.0.0", "Content-Type", OCTETS));
        l.add(patch(
                "Upload-Offset ahead of the server's",
                Expected.refused(409, "OFFSET_MISMATCH"),
                "x",
                "Tus-Resumable",
                "1.0.0",
                "Upload-Offset",
                "5",
                "Content-Type",
                OCTETS));
        Expected alg = Expected.refused(400, "CHECKSUM_ALGORITHM_UNSUPPORTED");
        Expected bad = Expected.refused(400, "CHECKSUM_INVALID");
        for (String ck :
                List.of("md5 " + b64("x"), "sha1 " + b64("x"), "sha256", "crc32 AAAA", "sha-256 " + b64("x"))) {
            l.add(patchWith("Upload-Checksum '" + ck + "'", alg, "Upload-Checksum", ck));
        }
        byte[] sixteen = new byte[16];
        byte[] thirtyThree = new byte[33];
        for (String ck : List.of(
                "sha256 !!!",
                "sha256 " + Base64.getEncoder().encodeToString(sixteen),
                "sha256 " + Base64.getEncoder().encodeToString(thirtyThree))) {
            l.add(patchWith("Upload-Checksum '" + ck + "'", bad, "Upload-Checksum", ck));
        }
        l.add(patchWith(
                "Upload-Checksum of other bytes",
                Expected.refused(460, "CHECKSUM_MISMATCH"),
                "Upload-Checksum",
                "sha256 " + "A".repeat(43)));
        l.add(patchWith(
                "Upload-Length differing from the creation's",
                Expected.refused(400, "UPLOAD_LENGTH_MISMATCH"),
                "Upload-Length",
                "11"));
        l.add(patchWith("Sekisho-Envelope-Sha256 not 64 hex digits", invalid, "Sekisho-Envelope-Sha256", "xyz"));
        return l.stream();
    }
}
