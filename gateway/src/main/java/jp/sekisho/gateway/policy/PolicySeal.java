package jp.sekisho.gateway.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals approval and route rows with HMAC-SHA256 under a key the database never sees (a 0600 file
 * beside the audit signing key, {@code data/policy-seal.key} by default, {@code approvals.seal-key}
 * to share one key between nodes). Someone who can write the tables but not read this file cannot
 * make a row the gateway will trust: a changed status, period, item list, limit or route link no
 * longer matches its seal.
 *
 * <p>A seal reads {@code hmac-sha256:<key id>:<mac>}; the key id tells "sealed under another key"
 * apart from "content changed".
 */
public final class PolicySeal {

    private static final String PREFIX = "hmac-sha256:";
    private static final int KEY_BYTES = 32;

    private final byte[] key;
    private final String keyId;
    private final Path file;
    private final boolean created;

    private PolicySeal(byte[] key, Path file, boolean created) {
        this.key = key.clone();
        this.file = file;
        this.created = created;
        this.keyId = keyId(key);
    }

    /** Loads the key at {@code file}, creating it (0600) when absent. */
    public static PolicySeal loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            return new PolicySeal(read(file), file, false);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException race) {
            return new PolicySeal(read(file), file, false);
        }
        Files.writeString(
                file,
                "# Sekisho policy seal key (HMAC-SHA256): copy to every node of one installation, keep 0600\n"
                        + Base64.getEncoder().encodeToString(key) + "\n",
                StandardCharsets.US_ASCII);
        return new PolicySeal(key, file, true);
    }

    /** A key from bytes (tests that play a second installation). */
    public static PolicySeal of(byte[] key) {
        return new PolicySeal(key, null, false);
    }

    private static byte[] read(Path file) throws IOException {
        String b64 = Files.readAllLines(file, StandardCharsets.US_ASCII).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .findFirst()
                .orElseThrow(() -> new IOException(file + " holds no key"));
        byte[] key;
        try {
            key = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not a policy seal key: " + e.getMessage(), e);
        }
        if (key.length < KEY_BYTES) {
            throw new IOException(file + " holds a key of " + key.length + " bytes; " + KEY_BYTES + " needed");
        }
        return key;
    }

    /** Whether this start created the key (then rows from before sealing existed are sealed once). */
    public boolean created() {
        return created;
    }

    public Path file() {
        return file;
    }

    public String keyId() {
        return keyId;
    }

    /** The seal of a row's canonical content. */
    public String seal(SealedContent content) {
        return PREFIX + keyId + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(content.bytes()));
    }

    /** Null when {@code seal} matches the content; otherwise what failed, in words for the operator. */
    public String problem(String seal, SealedContent content) {
        if (seal == null || seal.isEmpty()) {
            return "no seal (a row written outside the gateway, or by a version before sealing)";
        }
        if (!seal.startsWith(PREFIX)) {
            return "not a seal the gateway writes";
        }
        String rest = seal.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        if (colon < 0) {
            return "not a seal the gateway writes";
        }
        if (!rest.substring(0, colon).equals(keyId)) {
            return "sealed under another key (" + rest.substring(0, colon) + ", this node has " + keyId
                    + "): a copied row, or the nodes do not share approvals.seal-key";
        }
        byte[] expected = mac(content.bytes());
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(rest.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return "not a seal the gateway writes";
        }
        return MessageDigest.isEqual(expected, given)
                ? null
                : "the content does not match its seal: changed outside the gateway";
    }

    /**
     * A key for another purpose derived from this one (HMAC-SHA256 over a purpose label), so that a
     * secret every node must share (the console's form tokens) comes with the key they already share,
     * and neither key reveals the other.
     */
    public byte[] derive(String purpose) {
        return mac(("sekisho-derived-key|" + purpose).getBytes(StandardCharsets.US_ASCII));
    }

    private byte[] mac(byte[] data) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return m.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 missing from the JDK", e);
        }
    }

    private static String keyId(byte[] key) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update("sekisho policy seal key id".getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(d.digest(key), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "PolicySeal[" + keyId + (file == null ? "" : ", " + file) + "]";
    }
}
