package jp.sekisho.gateway.relay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * A terminal speaking HTTP/1.1 by hand over TLS, so a test can send what a browser or an attacker
 * would (hop-by-hop headers, a forged X-Forwarded-For) and see the answer exactly as sent.
 */
final class RawTerminal implements AutoCloseable {

    record Answer(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    final Socket socket;
    final InputStream in;

    RawTerminal(SSLContext tls, int port) throws IOException {
        socket = tls.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        in = socket.getInputStream();
    }

    void send(String head) throws IOException {
        socket.getOutputStream().write(head.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    Answer exchange(String head) throws IOException {
        send(head);
        return readAnswer(true);
    }

    /** Reads a response head and, when {@code body}, its whole body. */
    Answer readAnswer(boolean body) throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before an answer");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(); l != null && !l.isEmpty(); l = line()) {
            int c = l.indexOf(':');
            headers.merge(
                    l.substring(0, c).trim().toLowerCase(Locale.ROOT),
                    l.substring(c + 1).trim(),
                    (a, b) -> a + "," + b);
        }
        if (!body) {
            return new Answer(status, headers, new byte[0]);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (headers.containsKey("content-length")) {
            out.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int n = Integer.parseInt(line().trim(), 16); n > 0; n = Integer.parseInt(line().trim(), 16)) {
                out.write(in.readNBytes(n));
                line();
            }
            line();
        }
        return new Answer(status, headers, out.toByteArray());
    }

    /** Reads until the connection ends (true) or {@code limit} bytes came (false). */
    boolean readsToEnd(long limit) {
        byte[] buf = new byte[64 * 1024];
        long got = 0;
        try {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                got += n;
                if (got > limit) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return true; // reset: cut
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c >= 0; c = in.read()) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
