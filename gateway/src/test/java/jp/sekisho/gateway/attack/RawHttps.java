package jp.sekisho.gateway.attack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * Sends bytes exactly as written over mutual TLS (or plain TCP) and reads what comes back until the
 * gateway closes or stays silent: the JDK's HTTP client would refuse to send most hostile inputs.
 */
final class RawHttps {

    /** How long a silent, open connection is waited on before it counts as kept open. */
    static final int QUIET_MILLIS = 1500;

    private RawHttps() {}

    static Answer send(SSLContext tls, String bindIp, int port, byte[] request) throws IOException {
        Socket tcp = new Socket();
        tcp.bind(new InetSocketAddress(InetAddress.getByName(bindIp), 0));
        tcp.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        int local = tcp.getLocalPort();
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(tcp, "127.0.0.1", port, true)) {
            s.setSoTimeout(10_000);
            try {
                s.startHandshake();
                // TLS 1.3: the server judges the client certificate after the client's Finished; a
                // refusal arrives as an alert on the first read
                s.getOutputStream().write(request);
                s.getOutputStream().flush();
            } catch (SSLException | java.net.SocketException e) {
                return Answer.handshakeFailure(local);
            }
            return read(s, local);
        } catch (SSLException e) {
            return Answer.handshakeFailure(local);
        }
    }

    /** Plain TCP from {@code bindIp}: for PROXY headers and whatever is sent ahead of TLS. */
    static Answer plain(String bindIp, int port, byte[] bytes) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(bindIp), 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(QUIET_MILLIS);
            OutputStream out = s.getOutputStream();
            try {
                out.write(bytes);
                out.flush();
            } catch (java.net.SocketException e) {
                return new Answer(0, Map.of(), "", true, "", false, s.getLocalPort());
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            boolean closed = drain(s.getInputStream(), got);
            return new Answer(
                    0, Map.of(), got.toString(StandardCharsets.ISO_8859_1), closed, "", false, s.getLocalPort());
        }
    }

    private static Answer read(SSLSocket s, int local) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        s.setSoTimeout(QUIET_MILLIS);
        boolean closed;
        try {
            closed = drain(s.getInputStream(), got);
        } catch (SSLException e) {
            if (got.size() == 0) {
                return Answer.handshakeFailure(local);
            }
            closed = true;
        }
        return parse(got.toByteArray(), closed, local);
    }

    /** Reads until end of stream (true) or {@link #QUIET_MILLIS} of silence (false). */
    private static boolean drain(InputStream in, ByteArrayOutputStream got) throws IOException {
        byte[] b = new byte[8192];
        long deadline = System.nanoTime() + 15_000_000_000L;
        try {
            int n;
            while ((n = in.read(b)) >= 0) {
                got.write(b, 0, n);
                if (System.nanoTime() > deadline) {
                    return false;
                }
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true; // reset
        }
    }

    /** The first HTTP/1.1 answer of {@code raw}; the rest (a second answer) goes to {@link Answer#after}. */
    static Answer parse(byte[] raw, boolean closed, int local) {
        String all = new String(raw, StandardCharsets.ISO_8859_1);
        int end = all.indexOf("\r\n\r\n");
        if (!all.startsWith("HTTP/") || end < 0) {
            return new Answer(0, Map.of(), all, closed, "", false, local);
        }
        String[] lines = all.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            if (c > 0) {
                headers.put(
                        lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(c + 1).trim());
            }
        }
        int bodyStart = end + 4;
        int bodyEnd;
        String body;
        if (headers.containsKey("content-length")) {
            bodyEnd = Math.min(all.length(), bodyStart + Integer.parseInt(headers.get("content-length")));
            body = all.substring(bodyStart, bodyEnd);
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            StringBuilder sb = new StringBuilder();
            int p = bodyStart;
            while (true) {
                int nl = all.indexOf("\r\n", p);
                if (nl < 0) {
                    break;
                }
                int size = Integer.parseInt(all.substring(p, nl).split(";")[0].trim(), 16);
                p = nl + 2;
                if (size == 0) {
                    int fin = all.indexOf("\r\n", p);
                    p = fin < 0 ? all.length() : fin + 2;
                    break;
                }
                sb.append(all, p, Math.min(all.length(), p + size));
                p += size + 2;
            }
            bodyEnd = Math.min(p, all.length());
            body = sb.toString();
        } else {
            bodyEnd = all.length();
            body = all.substring(bodyStart);
        }
        String utf8 = new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        return new Answer(status, headers, utf8, closed, all.substring(bodyEnd), false, local);
    }
}
