package jp.sekisho.client.training;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import jp.sekisho.audit.json.Json;
import jp.sekisho.client.training.TrainingHttp.Answer;
import jp.sekisho.client.training.TrainingHttp.Request;

/**
 * The answers of {@link TrainingGateway}: the requests of one send (terms, tus creation with a
 * deferred length, PATCHes, receipt) and one receive (inbox, payload, acknowledgment) on route
 * {@value #ROUTE}, answered as the gateway answers them when all is well. It keeps uploads in memory
 * and checks nothing.
 */
final class TrainingRoutes {

    private static final String ROUTE = TrainingGateway.ROUTE;
    private static final String PREFIX = "/api/v1/routes/" + ROUTE + "/";

    private final String terms;
    private final String sender;
    private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    /** One upload and, once complete, the transfer it became. */
    private static final class Upload {
        final String id;
        final String filename;
        final long records;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // written by one connection's thread, read by another's
        volatile long length = -1;
        volatile String sha256;
        volatile String state = "UPLOADING";

        Upload(String id, String filename, long records) {
            this.id = id;
            this.filename = filename;
            this.records = records;
        }
    }

    /**
     * @param dataItems the approved items (the training file's columns)
     * @param recipientPem the route's recipient certificate
     * @param sender the sending identity's subject, as the inbox names it
     */
    TrainingRoutes(List<String> dataItems, String recipientPem, String sender) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("route", ROUTE);
        t.put("approvalRef", "TRAINING-1");
        t.put("dataItems", dataItems);
        t.put("maxRecords", 1_000_000);
        t.put("maxPayloadBytes", TrainingHttp.MAX_BODY);
        t.put("allowCbc", false);
        t.put("recipients", List.of(recipientPem));
        t.put("compression", true);
        this.terms = Json.write(t);
        this.sender = sender;
    }

    Answer answer(Request r) {
        if (!r.path().startsWith(PREFIX)) {
            return notFound(r);
        }
        String[] p = r.path().substring(PREFIX.length()).split("/");
        String m = r.method();
        if (p.length == 1 && m.equals("GET") && p[0].equals("terms")) {
            return Answer.json(200, terms);
        }
        if (p.length == 1 && m.equals("GET") && p[0].equals("inbox")) {
            return inbox();
        }
        if (p.length == 1 && m.equals("POST") && p[0].equals("uploads")) {
            return create(r);
        }
        if (p.length == 2 && p[0].equals("uploads") && uploads.containsKey(p[1])) {
            Upload u = uploads.get(p[1]);
            return switch (m) {
                case "PATCH" -> patch(u, r);
                case "HEAD" -> Answer.empty(200, head(u));
                case "DELETE" -> Answer.empty(204, Map.of("Tus-Resumable", "1.0.0"));
                default -> notFound(r);
            };
        }
        if (p.length >= 2 && p[0].equals("transfers") && uploads.containsKey(p[1])) {
            Upload u = uploads.get(p[1]);
            String what = p.length == 3 ? p[2] : "";
            return switch (m + " " + what) {
                case "GET " -> Answer.json(200, Json.write(transfer(u)));
                case "GET receipt" -> Answer.json(200, Json.write(transfer(u)));
                case "GET payload" -> payload(u, r);
                case "POST ack" -> {
                    u.state = "ACKNOWLEDGED";
                    yield Answer.json(200, Json.write(transfer(u)));
                }
                default -> notFound(r);
            };
        }
        return notFound(r);
    }

    private Answer create(Request r) {
        Map<String, String> meta = metadata(r.header("Upload-Metadata"));
        String id = "training-" + ids.incrementAndGet();
        Upload u =
                new Upload(id, meta.getOrDefault("filename", id), Long.parseLong(meta.getOrDefault("records", "-1")));
        String length = r.header("Upload-Length");
        if (length != null) {
            u.length = Long.parseLong(length);
        }
        uploads.put(id, u);
        return Answer.empty(
                201,
                Map.of(
                        "Location", PREFIX + "uploads/" + id,
                        "Tus-Resumable", "1.0.0",
                        "Upload-Offset", "0"));
    }

    private Answer patch(Upload u, Request r) {
        synchronized (u) {
            long offset = Long.parseLong(r.header("Upload-Offset"));
            if (offset != u.bytes.size()) {
                return Answer.json(409, "{\"code\":\"OFFSET_MISMATCH\"}");
            }
            if ((long) u.bytes.size() + r.body().length > TrainingHttp.MAX_BODY) {
                return Answer.json(413, "{\"code\":\"PAYLOAD_TOO_LARGE\"}");
            }
            u.bytes.writeBytes(r.body());
            if (r.header("Upload-Length") != null) {
                u.length = Long.parseLong(r.header("Upload-Length"));
            }
            Map<String, String> h = new LinkedHashMap<>(head(u));
            if (u.length == u.bytes.size()) {
                u.sha256 = sha256(u.bytes.toByteArray());
                u.state = "STORED";
                h.put("Sekisho-Transfer-Id", u.id);
            }
            return Answer.empty(204, h);
        }
    }

    private static Map<String, String> head(Upload u) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Tus-Resumable", "1.0.0");
        h.put("Upload-Offset", Long.toString(u.bytes.size()));
        if (u.length >= 0) {
            h.put("Upload-Length", Long.toString(u.length));
        }
        return h;
    }

    private Answer inbox() {
        List<Map<String, Object>> items = new ArrayList<>();
        for (Upload u : uploads.values()) {
            if (u.state.equals("STORED")) {
                items.add(transfer(u));
            }
        }
        return Answer.json(200, Json.write(items));
    }

    private static Answer payload(Upload u, Request r) {
        byte[] all = u.bytes.toByteArray();
        String range = r.header("Range");
        if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
            int from = Integer.parseInt(range.substring(6, range.length() - 1));
            byte[] rest = java.util.Arrays.copyOfRange(all, Math.min(from, all.length), all.length);
            return new Answer(
                    206,
                    Map.of(
                            "Content-Type",
                            "application/cms",
                            "Content-Range",
                            "bytes " + from + "-" + (all.length - 1) + "/" + all.length),
                    rest);
        }
        return new Answer(200, Map.of("Content-Type", "application/cms"), all);
    }

    /** The transfer as the gateway's receipt, state and inbox answers show it. */
    private Map<String, Object> transfer(Upload u) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("transferId", u.id);
        t.put("route", ROUTE);
        t.put("approvalRef", "TRAINING-1");
        t.put("filename", u.filename);
        t.put("size", u.bytes.size());
        t.put("sha256", u.sha256);
        t.put("records", u.records);
        t.put("sender", sender);
        t.put("storedAt", Instant.now().toString());
        t.put("state", u.state);
        t.put("node", "training");
        return t;
    }

    private static Map<String, String> metadata(String header) {
        Map<String, String> m = new LinkedHashMap<>();
        if (header == null) {
            return m;
        }
        for (String pair : header.split(",")) {
            String[] kv = pair.trim().split(" ", 2);
            m.put(kv[0], kv.length < 2 ? "" : new String(Base64.getDecoder().decode(kv[1]), StandardCharsets.UTF_8));
        }
        return m;
    }

    private static Answer notFound(Request r) {
        System.err.println("training gateway: no answer for " + r.method() + " " + r.path());
        return Answer.json(
                404,
                "{\"code\":\"NOT_FOUND\",\"message\":\"the training gateway has no " + r.method() + " "
                        + r.path().replace("\"", "") + "\"}");
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
