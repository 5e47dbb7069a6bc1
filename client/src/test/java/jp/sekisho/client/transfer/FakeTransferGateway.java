package jp.sekisho.client.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import jp.sekisho.certs.Pem;
import jp.sekisho.client.http.JsonOut;

/**
 * A stand-in for the gateway's transfer listener, as docs/transfer-protocol.md describes it, for
 * testing the client's side without the server branch: mutual TLS (client certificate required),
 * terms, tus creation/HEAD/PATCH (offset and checksum checks), transfer state, signed receipt,
 * inbox, ranged payload, acknowledgment. It does not inspect envelopes. Faults can be injected.
 */
final class FakeTransferGateway implements AutoCloseable {

    static final class Upload {
        final String id;
        final long length;
        final String filename;
        volatile String sha256;
        final long records;
        final Path file;
        volatile long offset;
        volatile String state = "UPLOADING";
        volatile String storedAt;

        Upload(String id, long length, String filename, String sha256, long records, Path file) {
            this.id = id;
            this.length = length;
            this.filename = filename;
            this.sha256 = sha256;
            this.records = records;
            this.file = file;
        }
    }

    final HttpsServer server;
    final Path spool;
    final String route;
    final List<String> dataItems;
    volatile long maxRecords;
    final List<Path> recipients;
    final Map<String, Upload> uploads = new ConcurrentHashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final KeyPair receiptKey;
    final AtomicInteger ids = new AtomicInteger();
    /** The next this-many PATCH requests answer 503 without reading the body. */
    final AtomicInteger failPatches = new AtomicInteger();
    /** The next payload download is cut off after this many bytes (0: no fault). */
    volatile long cutDownloadAfter;
    final AtomicInteger acks = new AtomicInteger();

    FakeTransferGateway(Path dir, Path p12, Path caPem, String route, List<String> dataItems, long maxRecords,
                        List<Path> recipients) throws Exception {
        this.spool = Files.createDirectories(dir.resolve("spool"));
        this.route = route;
        this.dataItems = dataItems;
        this.maxRecords = maxRecords;
        this.recipients = recipients;
        this.receiptKey = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Files.writeString(dir.resolve("audit-signing.pub.pem"), "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(receiptKey.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, new char[0]);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        int i = 0;
        for (X509Certificate c : Pem.readCertificates(caPem)) {
            ts.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = ctx.getDefaultSSLParameters();
                p.setNeedClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    Path publicKeyPem() {
        return spool.getParent().resolve("audit-signing.pub.pem");
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        String range = ex.getRequestHeaders().getFirst("Range");
        requests.add(method + " " + path + (range != null ? " " + range : ""));
        String base = "/api/v1/routes/" + route;
        try (ex) {
            if (!path.startsWith(base)) {
                problem(ex, 404, "ROUTE_UNKNOWN");
                return;
            }
            String rest = path.substring(base.length());
            if (rest.equals("/terms") && method.equals("GET")) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("route", route);
                t.put("approvalRef", "2総政第158号");
                t.put("approvalTitle", "特別定額給付金");
                t.put("dataItems", dataItems);
                t.put("maxRecords", maxRecords);
                t.put("maxPayloadBytes", 2L << 30);
                t.put("allowCbc", false);
                List<String> pems = new ArrayList<>();
                for (Path p : recipients) {
                    pems.add(Files.readString(p));
                }
                t.put("recipients", pems);
                t.put("state", "ACTIVE");
                json(ex, 200, JsonOut.write(t));
            } else if (rest.equals("/uploads") && method.equals("POST")) {
                create(ex);
            } else if (rest.startsWith("/uploads/")) {
                Upload u = uploads.get(rest.substring("/uploads/".length()));
                if (u == null || !u.state.equals("UPLOADING")) {
                    ex.getResponseHeaders().set("Tus-Resumable", "1.0.0");
                    problem(ex, 404, "UPLOAD_UNKNOWN");
                } else if (method.equals("HEAD")) {
                    ex.getResponseHeaders().set("Upload-Offset", Long.toString(u.offset));
                    ex.getResponseHeaders().set("Upload-Length", Long.toString(u.length));
                    ex.getResponseHeaders().set("Cache-Control", "no-store");
                    ex.sendResponseHeaders(200, -1);
                } else if (method.equals("PATCH")) {
                    patch(ex, u);
                } else {
                    problem(ex, 405, "METHOD");
                }
            } else if (rest.equals("/inbox") && method.equals("GET")) {
                List<Object> list = new ArrayList<>();
                for (Upload u : uploads.values().stream().sorted((a, b) -> a.id.compareTo(b.id)).toList()) {
                    if (u.state.equals("STORED") || u.state.equals("DELIVERED")) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("transferId", u.id);
                        m.put("filename", u.filename);
                        m.put("size", u.length);
                        m.put("sha256", u.sha256);
                        m.put("records", u.records);
                        m.put("storedAt", u.storedAt);
                        m.put("sender", "CN=city-sender,O=Sekisho");
                        list.add(m);
                    }
                }
                json(ex, 200, JsonOut.write(list));
            } else if (rest.startsWith("/transfers/")) {
                String[] parts = rest.substring("/transfers/".length()).split("/");
                Upload u = uploads.get(parts[0]);
                if (u == null) {
                    problem(ex, 404, "TRANSFER_UNKNOWN");
                } else if (parts.length == 1) {
                    json(ex, 200, "{\"transferId\":\"" + u.id + "\",\"state\":\"" + u.state + "\"}");
                } else if (parts[1].equals("receipt")) {
                    json(ex, 200, receipt(u));
                } else if (parts[1].equals("payload")) {
                    payload(ex, u);
                } else if (parts[1].equals("ack") && method.equals("POST")) {
                    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    if (!body.contains("\"" + u.sha256 + "\"")) {
                        problem(ex, 409, "ACK_HASH_MISMATCH");
                        return;
                    }
                    Files.deleteIfExists(u.file);
                    u.state = "PURGED";
                    acks.incrementAndGet();
                    json(ex, 200, receipt(u));
                } else {
                    problem(ex, 404, "NOT_FOUND");
                }
            } else {
                problem(ex, 404, "NOT_FOUND");
            }
        } catch (IOException | RuntimeException e) {
            // the client went away mid-request, or a fault was injected: the server closes the connection
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    private void create(HttpExchange ex) throws IOException {
        long length = Long.parseLong(ex.getRequestHeaders().getFirst("Upload-Length"));
        Map<String, String> meta = new LinkedHashMap<>();
        for (String kv : ex.getRequestHeaders().getFirst("Upload-Metadata").split(",")) {
            String[] p = kv.strip().split(" ");
            meta.put(p[0], new String(Base64.getDecoder().decode(p[1]), StandardCharsets.UTF_8));
        }
        long records = Long.parseLong(meta.get("records"));
        if (records > maxRecords) {
            problem(ex, 403, "RECORDS_OVER_APPROVAL");
            return;
        }
        String id = String.format("t%04d", ids.incrementAndGet());
        Upload u = new Upload(id, length, meta.get("filename"), meta.get("sha256"), records, spool.resolve(id + ".cms"));
        Files.createFile(u.file);
        uploads.put(id, u);
        ex.getResponseHeaders().set("Tus-Resumable", "1.0.0");
        ex.getResponseHeaders().set("Location", "/api/v1/routes/" + route + "/uploads/" + id);
        ex.sendResponseHeaders(201, -1);
    }

    private synchronized void patch(HttpExchange ex, Upload u) throws IOException {
        if (failPatches.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            problem(ex, 503, "UNAVAILABLE");
            return;
        }
        long offset = Long.parseLong(ex.getRequestHeaders().getFirst("Upload-Offset"));
        if (offset != u.offset) {
            problem(ex, 409, "OFFSET_MISMATCH");
            return;
        }
        long n = Long.parseLong(ex.getRequestHeaders().getFirst("Content-Length"));
        MessageDigest md = FileRegion.sha256();
        Path chunk = spool.resolve(u.id + ".chunk");
        try (InputStream in = ex.getRequestBody(); OutputStream out = Files.newOutputStream(chunk)) {
            byte[] buf = new byte[65536];
            long got = 0;
            int r;
            while (got < n && (r = in.read(buf, 0, (int) Math.min(buf.length, n - got))) >= 0) {
                out.write(buf, 0, r);
                md.update(buf, 0, r);
                got += r;
            }
            if (got < n) {
                Files.deleteIfExists(chunk); // an incomplete chunk is not kept
                return;
            }
        } catch (IOException e) {
            Files.deleteIfExists(chunk);
            throw e;
        }
        String declared = ex.getRequestHeaders().getFirst("Upload-Checksum");
        if (declared != null && !declared.equals("sha256 " + Base64.getEncoder().encodeToString(md.digest()))) {
            Files.deleteIfExists(chunk);
            problem(ex, 460, "CHECKSUM_MISMATCH");
            return;
        }
        try (OutputStream out = Files.newOutputStream(u.file, StandardOpenOption.APPEND)) {
            Files.copy(chunk, out);
        }
        Files.delete(chunk);
        u.offset = offset + n;
        ex.getResponseHeaders().set("Tus-Resumable", "1.0.0");
        ex.getResponseHeaders().set("Upload-Offset", Long.toString(u.offset));
        if (u.offset == u.length) {
            String sha;
            try (InputStream in = Files.newInputStream(u.file)) {
                MessageDigest all = FileRegion.sha256();
                FileRegion.update(all, in);
                sha = HexFormat.of().formatHex(all.digest());
            }
            if (!sha.equals(u.sha256)) {
                u.state = "REJECTED";
                Files.delete(u.file);
                problem(ex, 422, "PAYLOAD_HASH_MISMATCH");
                return;
            }
            u.state = "STORED";
            u.storedAt = Instant.now().toString();
            ex.getResponseHeaders().set("Sekisho-Transfer-Id", u.id);
        }
        ex.sendResponseHeaders(204, -1);
    }

    private void payload(HttpExchange ex, Upload u) throws IOException {
        long from = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null) {
            from = Long.parseLong(range.substring("bytes=".length(), range.indexOf('-')));
            if (from >= u.length) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + u.length);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (u.length - 1) + "/" + u.length);
        }
        ex.getResponseHeaders().set("Content-Type", "application/cms");
        ex.sendResponseHeaders(range != null ? 206 : 200, u.length - from);
        long cut = cutDownloadAfter;
        cutDownloadAfter = 0;
        try (InputStream in = FileRegion.open(u.file, from, u.length - from); OutputStream out = ex.getResponseBody()) {
            if (cut > 0) {
                out.write(in.readNBytes((int) cut));
                out.flush();
                throw new IOException("injected: connection cut after " + cut + " bytes");
            }
            in.transferTo(out);
        }
        if (from == 0 || range != null) {
            u.state = "DELIVERED";
        }
    }

    String receipt(Upload u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("transferId", u.id);
        m.put("route", route);
        m.put("approvalRef", "2総政第158号");
        m.put("filename", u.filename);
        m.put("size", u.length);
        m.put("sha256", u.sha256);
        m.put("records", u.records);
        m.put("sender", "CN=city-sender,O=Sekisho");
        m.put("storedAt", u.storedAt);
        m.put("state", u.state);
        m.put("node", "fake");
        String unsigned = JsonOut.write(m);
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(receiptKey.getPrivate());
            s.update(unsigned.getBytes(StandardCharsets.UTF_8));
            m.put("signature", Base64.getEncoder().encodeToString(s.sign()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return JsonOut.write(m);
    }

    private static void json(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    private static void problem(HttpExchange ex, int status, String reason) throws IOException {
        byte[] b = ("{\"reason\":\"" + reason + "\",\"title\":\"" + reason + "\",\"status\":" + status + "}")
                .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/problem+json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }
}
