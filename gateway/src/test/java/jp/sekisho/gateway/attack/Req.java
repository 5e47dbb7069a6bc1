package jp.sekisho.gateway.attack;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 request written byte for byte, with {@code Connection: close} so that the gateway's
 * answer ends the read at once (framing cases leave it out: the connection must close anyway).
 */
final class Req {

    private Req() {}

    /** {@code headers}: name, value, name, value... written as given (no checks: that is the point). */
    static byte[] of(String method, String target, String body, String... headers) {
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        sb.append("Host: 127.0.0.1\r\nConnection: close\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        if (body != null) {
            sb.append("Content-Length: ").append(b.length).append("\r\n");
        }
        sb.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(sb.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(b);
        return out.toByteArray();
    }

    static byte[] raw(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
