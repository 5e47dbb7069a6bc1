package jp.sekisho.audit.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.json.Json;

/**
 * Reads a key set an auditor holds offline ({@code --keys DIR_OR_FILE}): a folder (every {@code *.pem} in it), a
 * PEM file with one or more PUBLIC KEY blocks, or the JSON {@code GET /api/v1/audit/signing-keys} returns.
 */
public final class KeyFiles {

    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";

    private KeyFiles() {}

    /** The key set at {@code path}; a JSON list keeps each key's node, bare PEM keys are bound by the chains. */
    public static KeySet read(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            List<PublicKey> keys = new ArrayList<>();
            try (Stream<Path> s = Files.list(path)) {
                for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".pem"))
                        .sorted()
                        .toList()) {
                    keys.addAll(parsePem(Files.readString(p, StandardCharsets.US_ASCII), p.toString()));
                }
            }
            if (keys.isEmpty()) {
                throw new IOException("鍵フォルダに公開鍵 (*.pem) がありません / no public key (*.pem) in " + path);
            }
            return KeySet.ofKeys(keys, path.toString());
        }
        String text = Files.readString(path, StandardCharsets.UTF_8);
        if (text.stripLeading().startsWith("[")) {
            return KeySet.ofRows(parseJson(text, path.toString()), path.toString());
        }
        return KeySet.ofKeys(parsePem(text, path.toString()), path.toString());
    }

    /** Every PUBLIC KEY block in {@code text}; at least one. */
    public static List<PublicKey> parsePem(String text, String where) throws IOException {
        List<PublicKey> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int b = text.indexOf(BEGIN, from);
            if (b < 0) {
                break;
            }
            int e = text.indexOf(END, b);
            if (e < 0) {
                throw new IOException(where + ": a " + BEGIN + " block without its end line");
            }
            try {
                out.add(AuditSigningKey.publicKey(
                        Base64.getMimeDecoder().decode(text.substring(b + BEGIN.length(), e))));
            } catch (GeneralSecurityException | IllegalArgumentException ex) {
                throw new IOException(where + " holds a key that is not Ed25519 (PEM SPKI): " + ex.getMessage(), ex);
            }
            from = e + END.length();
        }
        if (out.isEmpty()) {
            throw new IOException(where + " has no " + BEGIN + " block");
        }
        return out;
    }

    private static List<RegisteredKey> parseJson(String text, String where) throws IOException {
        List<RegisteredKey> rows = new ArrayList<>();
        try {
            if (!(Json.parse(text) instanceof List<?> list)) {
                throw new IllegalArgumentException("not a JSON list");
            }
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> m)) {
                    throw new IllegalArgumentException("an entry that is not an object");
                }
                @SuppressWarnings("unchecked") // Json.parse makes String-keyed maps
                Map<String, Object> entry = (Map<String, Object>) m;
                rows.add(RegisteredKey.fromJson(entry));
            }
        } catch (RuntimeException e) {
            throw new IOException(where + ": not the signing-keys JSON: " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new IOException(where + ": the signing-keys list is empty");
        }
        return rows;
    }
}
