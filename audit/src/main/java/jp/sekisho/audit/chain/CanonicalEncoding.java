package jp.sekisho.audit.chain;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;

/**
 * The one byte encoding of an event that its chain hash covers. Defined here, not by the database
 * or a JSON library, so that the store, an export and any future reader hash the same bytes.
 *
 * <p>Layout: the ASCII tag {@code sekisho-audit-event-v1}, then every field in a fixed order, each as
 * {@code 0x00} for null or {@code 0x01}, a 4-byte big-endian length and the UTF-8 bytes of its text
 * form (numbers in decimal, time as microseconds since the epoch). Length prefixes make the
 * encoding unambiguous whatever the fields contain.
 */
public final class CanonicalEncoding {

    private static final byte[] TAG = "sekisho-audit-event-v1".getBytes(StandardCharsets.US_ASCII);

    private CanonicalEncoding() {}

    /** Time as the store keeps it: UTC, microseconds. */
    public static Instant truncate(Instant t) {
        return t.truncatedTo(ChronoUnit.MICROS);
    }

    public static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

    public static byte[] encode(String nodeId, long seq, Instant time, AuditEvent e) {
        Out out = new Out();
        encode(out, nodeId, seq, time, e);
        return out.toByteArray();
    }

    /** Appends the encoding to a reusable buffer. */
    static void encode(Out out, String nodeId, long seq, Instant time, AuditEvent e) {
        head(out, nodeId, seq, time);
        tail(out, e);
    }

    /** The part the chain position decides: tag, node, sequence, time. */
    static void head(Out out, String nodeId, long seq, Instant time) {
        out.raw(TAG);
        out.field(nodeId);
        out.field(Long.toString(seq));
        out.field(Long.toString(micros(time)));
    }

    /**
     * The part the event alone decides (type .. detail). Computed on the caller's thread when the event is
     * queued, so the single writer only chains: {@code encode = head + tail}.
     */
    public static byte[] tail(AuditEvent e) {
        Out out = new Out();
        tail(out, e);
        return out.toByteArray();
    }

    private static void tail(Out out, AuditEvent e) {
        out.field(e.type().name());
        out.field(e.outcome().name());
        out.field(e.reason());
        AuditPrincipal p = e.principal();
        out.field(p == null ? null : p.subject());
        out.field(p == null ? null : p.serial());
        out.field(p == null ? null : p.sha256());
        out.field(e.sourceIp());
        out.field(e.sourcePort() == null ? null : e.sourcePort().toString());
        out.field(e.listenerPort() == null ? null : e.listenerPort().toString());
        out.field(e.routeId());
        out.field(e.approvalRef());
        out.field(e.transferId());
        out.field(e.bytes() == null ? null : e.bytes().toString());
        out.field(e.payloadSha256());
        out.field(e.requestId());
        out.field(e.detailJson());
    }

    /** A growable byte buffer; unsynchronised, unlike ByteArrayOutputStream. */
    static final class Out {
        byte[] buf = new byte[512];
        int len;

        void reset() {
            len = 0;
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
        }

        void raw(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
        }

        void field(String s) {
            if (s == null) {
                ensure(1);
                buf[len++] = 0;
                return;
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            ensure(5);
            buf[len++] = 1;
            buf[len++] = (byte) (b.length >>> 24);
            buf[len++] = (byte) (b.length >>> 16);
            buf[len++] = (byte) (b.length >>> 8);
            buf[len++] = (byte) b.length;
            raw(b);
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, len);
        }
    }
}
