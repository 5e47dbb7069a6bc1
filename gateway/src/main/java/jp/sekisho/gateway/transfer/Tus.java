package jp.sekisho.gateway.transfer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import jp.sekisho.gateway.admission.ProtocolSteps;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.input.FileNames;

/** tus 1.0.0 header vocabulary and parsing shared by the controller and the PATCH handler. */
public final class Tus {

    public static final String VERSION = ProtocolSteps.TUS_VERSION;
    public static final String RESUMABLE = ProtocolSteps.TUS_RESUMABLE;
    public static final String EXTENSIONS = "creation,creation-defer-length,checksum,termination,expiration";
    public static final String OFFSET_TYPE = "application/offset+octet-stream";
    public static final String TRANSFER_ID = "Sekisho-Transfer-Id";
    public static final String DEFER_LENGTH = "Upload-Defer-Length";
    /** The envelope's SHA-256 declared by a PATCH, for uploads created before it was known. */
    public static final String ENVELOPE_SHA256 = "Sekisho-Envelope-Sha256";
    /** On a PATCH at offset 0: start an upload whose length is not declared yet again from its first byte. */
    public static final String REWIND = "Sekisho-Upload-Rewind";

    private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    private Tus() {}

    /** RFC 7231 IMF-fixdate. */
    /**
     * The headers every tus problem answer carries, whichever layer answers: Tus-Resumable, the
     * server's offset with an OFFSET_MISMATCH, and Tus-Version with a 412.
     */
    public static void problemHeaders(TransferProblem e, java.util.function.BiConsumer<String, String> header) {
        header.accept(RESUMABLE, VERSION);
        if (e.offset() != null) {
            header.accept("Upload-Offset", Long.toString(e.offset()));
        }
        if (e.status() == 412) {
            header.accept("Tus-Version", VERSION);
        }
        String retryAfter = jp.sekisho.gateway.http.Problem.retryAfter(e.reason());
        if (retryAfter != null) {
            header.accept("Retry-After", retryAfter);
        }
    }

    public static String httpDate(Instant i) {
        return HTTP_DATE.format(i);
    }

    public static String location(String route, String id) {
        return "/api/v1/routes/" + route + "/uploads/" + id;
    }

    /** The declared facts of an upload, from {@code Upload-Metadata}; sha256 null when left for a PATCH to declare. */
    public record Metadata(String filename, String sha256, long records) {}

    /**
     * What a PATCH declares about the whole upload: {@code Upload-Length} and
     * {@code Sekisho-Envelope-Sha256}, each null when absent.
     */
    public record Declaration(Long length, String sha256) {}

    /**
     * The creation's length: {@code Upload-Length: N}, or null for {@code Upload-Defer-Length: 1}.
     * Exactly one of the two (tus creation-defer-length); throws 400 METADATA_INVALID otherwise.
     */
    public static Long creationLength(String uploadLength, String deferLength) {
        if ((uploadLength == null) == (deferLength == null)) {
            throw invalid("exactly one of Upload-Length and Upload-Defer-Length is required");
        }
        if (deferLength != null) {
            if (!deferLength.trim().equals("1")) {
                throw invalid("Upload-Defer-Length must be 1");
            }
            return null;
        }
        return nonNegative(uploadLength, "Upload-Length");
    }

    /** A PATCH's {@code Upload-Length} and {@code Sekisho-Envelope-Sha256}; throws 400 METADATA_INVALID. */
    public static Declaration declaration(String uploadLength, String envelopeSha256) {
        Long length = uploadLength == null ? null : nonNegative(uploadLength, "Upload-Length");
        String sha = null;
        if (envelopeSha256 != null) {
            sha = envelopeSha256.trim();
            if (!HEX64.matcher(sha).matches()) {
                throw invalid(ENVELOPE_SHA256 + " must be the envelope's SHA-256 as 64 hex digits");
            }
            sha = sha.toLowerCase(Locale.ROOT);
        }
        return new Declaration(length, sha);
    }

    /** {@code Sekisho-Upload-Rewind}: absent, or {@code 1}; throws 400 METADATA_INVALID otherwise. */
    public static boolean rewind(String header) {
        if (header == null) {
            return false;
        }
        if (!header.trim().equals("1")) {
            throw invalid(REWIND + " must be 1");
        }
        return true;
    }

    /** Parses and validates Upload-Metadata with its sha256 required; throws 400 METADATA_INVALID. */
    public static Metadata metadata(String header) {
        return metadata(header, true);
    }

    /**
     * Parses and validates Upload-Metadata; throws 400 METADATA_INVALID.
     *
     * @param shaRequired false for a deferred-length upload, whose sha256 a PATCH may declare instead
     */
    public static Metadata metadata(String header, boolean shaRequired) {
        Map<String, String> m = new LinkedHashMap<>();
        if (header != null && !header.isBlank()) {
            for (String pair : header.split(",")) {
                String p = pair.trim();
                int sp = p.indexOf(' ');
                String key = sp < 0 ? p : p.substring(0, sp);
                String val = "";
                if (sp >= 0) {
                    try {
                        val = new String(
                                Base64.getDecoder().decode(p.substring(sp + 1).trim()), StandardCharsets.UTF_8);
                    } catch (IllegalArgumentException e) {
                        throw invalid("metadata value of '" + key + "' is not base64");
                    }
                }
                if (m.put(key, val) != null) {
                    throw invalid("metadata key '" + key + "' appears twice");
                }
            }
        }
        String sha = m.get("sha256");
        if ((sha != null || shaRequired) && (sha == null || !HEX64.matcher(sha).matches())) {
            throw invalid("metadata sha256 must be the envelope's SHA-256 as 64 hex digits");
        }
        String rec = m.get("records");
        long records;
        try {
            records = Long.parseLong(rec == null ? "" : rec.trim());
        } catch (NumberFormatException e) {
            records = -1;
        }
        if (records < 0 || rec == null || !rec.trim().matches("[0-9]+")) {
            throw invalid("metadata records must be a non-negative integer");
        }
        String filename = m.get("filename");
        if (filename != null) {
            FileNames.problem(filename).ifPresent(p -> {
                throw new TransferProblem(Reason.FILENAME_INVALID, "metadata filename: " + p);
            });
        }
        return new Metadata(filename, sha == null ? null : sha.toLowerCase(Locale.ROOT), records);
    }

    /** Re-encodes the metadata for HEAD answers (sha256 only once declared). */
    public static String encode(Transfer t) {
        Base64.Encoder b = Base64.getEncoder();
        return "filename " + b.encodeToString(t.filename().getBytes(StandardCharsets.UTF_8))
                + (t.sha256() == null
                        ? ""
                        : ",sha256 " + b.encodeToString(t.sha256().getBytes(StandardCharsets.US_ASCII)))
                + ",records " + b.encodeToString(Long.toString(t.records()).getBytes(StandardCharsets.US_ASCII));
    }

    /** {@code sha256 <base64>} → the digest bytes; throws 400 for another algorithm or a bad value. */
    public static byte[] checksum(String header) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        int sp = h.indexOf(' ');
        if (sp < 0 || !h.substring(0, sp).equalsIgnoreCase("sha256")) {
            throw new TransferProblem(
                    Reason.CHECKSUM_ALGORITHM_UNSUPPORTED, "Upload-Checksum must be 'sha256 <base64>'");
        }
        try {
            byte[] d = Base64.getDecoder().decode(h.substring(sp + 1).trim());
            if (d.length != 32) {
                throw new IllegalArgumentException("length " + d.length);
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new TransferProblem(Reason.CHECKSUM_INVALID, "Upload-Checksum value is not a base64 SHA-256 digest");
        }
    }

    public static long nonNegative(String header, String name) {
        try {
            long v = Long.parseLong(header == null ? "" : header.trim());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw new TransferProblem(Reason.METADATA_INVALID, name + " must be a non-negative integer");
    }

    static TransferProblem invalid(String message) {
        return new TransferProblem(Reason.METADATA_INVALID, message);
    }
}
