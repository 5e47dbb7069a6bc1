package jp.sekisho.client.training;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Just enough HTTP/1.1 for {@link TrainingGateway}: one request read from a keep-alive connection
 * (fixed-length or chunked body, the tus method override) and one answer written. Bounded like any
 * parser here, although only the training run's own commands ever talk to it.
 */
final class TrainingHttp {

    /** The request line and headers; a request with more is not one the training sends. */
    static final int MAX_HEAD = 64 * 1024;
    /** The training file's envelope is ~50 KB; anything near this is not the training's. */
    static final int MAX_BODY = 16 * 1024 * 1024;

    private TrainingHttp() {}

    /** A request: its method (after {@code X-HTTP-Method-Override}), path without query, headers by lower-case name, body. */
    record Request(String method, String path, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** An answer; {@code body} is left out for HEAD. */
    record Answer(int status, Map<String, String> headers, byte[] body) {
        static Answer json(int status, String json) {
            return new Answer(
                    status, Map.of("Content-Type", "application/json"), json.getBytes(StandardCharsets.UTF_8));
        }

        static Answer empty(int status, Map<String, String> headers) {
            return new Answer(status, headers, new byte[0]);
        }
    }

    /** The next request on the connection, or null when the client closed it. */
    static Request read(InputStream in) throws IOException {
        String head = head(in);
        if (head == null) {
            return null;
        }
        String[] lines = head.split("\r\n");
        String[] start = lines[0].split(" ", 3);
        if (start.length < 3) {
            throw new IOException("not an HTTP request line: " + lines[0]);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        String method = headers.getOrDefault("x-http-method-override", start[0]).toUpperCase(Locale.ROOT);
        String path = start[1];
        int query = path.indexOf('?');
        path = query < 0 ? path : path.substring(0, query);
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = chunked(in);
        } else {
            long length = Long.parseLong(headers.getOrDefault("content-length", "0"));
            if (length < 0 || length > MAX_BODY) {
                throw new IOException("body of " + length + " bytes");
            }
            body = in.readNBytes((int) length);
        }
        return new Request(method, path, headers, body);
    }

    /** Writes the answer with its length, keeping the connection open. */
    static void write(OutputStream out, String method, Answer a) throws IOException {
        StringBuilder h = new StringBuilder("HTTP/1.1 ")
                .append(a.status())
                .append(a.status() < 300 ? " OK" : " Error")
                .append("\r\n");
        a.headers().forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
        h.append("Content-Length: ").append(a.body().length).append("\r\n\r\n");
        out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!method.equals("HEAD")) {
            out.write(a.body());
        }
        out.flush();
    }

    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int matched = 0;
        int c;
        while (matched < 4) {
            c = in.read();
            if (c < 0) {
                if (b.size() == 0) {
                    return null;
                }
                throw new IOException("the connection ended inside a request's head");
            }
            if (b.size() >= MAX_HEAD) {
                throw new IOException("request head over " + MAX_HEAD + " bytes");
            }
            b.write(c);
            matched = c == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            int semicolon = size.indexOf(';');
            int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (n == 0) {
                while (!line(in).isEmpty()) {
                    // trailers: none that matter here
                }
                return body.toByteArray();
            }
            if (n < 0 || body.size() + n > MAX_BODY) {
                throw new IOException("chunked body over " + MAX_BODY + " bytes");
            }
            body.write(in.readNBytes(n));
            line(in); // the chunk's CRLF
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (s.length() > 1024) {
                throw new IOException("chunk line over 1024 bytes");
            }
            if (c != '\r') {
                s.append((char) c);
            }
        }
        if (c < 0) {
            throw new IOException("the connection ended inside a chunked body");
        }
        return s.toString();
    }
}
