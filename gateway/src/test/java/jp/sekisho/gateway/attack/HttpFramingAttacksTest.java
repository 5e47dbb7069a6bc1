package jp.sekisho.gateway.attack;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Request smuggling by framing (RFC 9112 §6.1): Content-Length with Transfer-Encoding, or
 * Transfer-Encoding repeated, each carrying a second request; the gateway answers 400
 * REQUEST_FRAMING_INVALID, closes the connection, and never answers the smuggled request.
 */
class HttpFramingAttacksTest extends AttackCategory {

    private static final String ACK = "/api/v1/routes/benefit/transfers/abc/ack";
    private static final String SMUGGLED = "GET /api/v1/routes/benefit/inbox HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    /** A POST with these framing headers and body, followed on the same connection by the smuggled request. */
    private HostileCase.Attack framed(String headers, String body) {
        return w -> RawHttps.send(
                w.tls("contractor"),
                "127.0.0.1",
                w.port("transfer"),
                Req.raw("POST " + ACK + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + headers
                        + "\r\n" + body + SMUGGLED));
    }

    @Override
    Stream<HostileCase> cases() {
        List<HostileCase> l = new ArrayList<>();
        String chunk = "2\r\n{}\r\n0\r\n\r\n";
        l.add(c(
                "Content-Length and Transfer-Encoding: chunked",
                framed("Content-Length: 2\r\nTransfer-Encoding: chunked\r\n", chunk),
                Expected.framing()));
        l.add(c(
                "Transfer-Encoding: chunked and Content-Length",
                framed("Transfer-Encoding: chunked\r\nContent-Length: 2\r\n", chunk),
                Expected.framing()));
        l.add(c(
                "Content-Length covering the smuggled request, and Transfer-Encoding",
                framed(
                        "Content-Length: " + (chunk.length() + SMUGGLED.length())
                                + "\r\nTransfer-Encoding: chunked\r\n",
                        chunk),
                Expected.framing()));
        l.add(c(
                "Content-Length 0 and Transfer-Encoding",
                framed("Content-Length: 0\r\nTransfer-Encoding: chunked\r\n", chunk),
                Expected.framing()));
        l.add(c(
                "Transfer-Encoding twice",
                framed("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", chunk),
                Expected.framing()));
        l.add(c(
                "Transfer-Encoding: chunked, chunked",
                framed("Transfer-Encoding: chunked, chunked\r\n", chunk),
                Expected.framing()));
        l.add(c(
                "Transfer-Encoding identity then chunked",
                framed("Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n", chunk),
                Expected.framing()));
        l.add(c(
                "Content-Length and Transfer-Encoding: identity",
                framed("Content-Length: 2\r\nTransfer-Encoding: identity\r\n", "{}"),
                Expected.framing()));
        return l.stream();
    }
}
