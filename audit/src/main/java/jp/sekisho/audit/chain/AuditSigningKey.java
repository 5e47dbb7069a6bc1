package jp.sekisho.audit.chain;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;

/**
 * The gateway's audit signing key (Ed25519, JDK provider), kept apart from its TLS key: it signs
 * checkpoints only. Private key as PEM PKCS#8 (mode 0600), public key as PEM SPKI beside it
 * ({@code audit-signing.key} → {@code audit-signing.pub.pem}), which auditors use to verify exports.
 */
public final class AuditSigningKey {

    public static final String ALGORITHM = "Ed25519";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;

    private AuditSigningKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.keyId = keyId(publicKey);
    }

    /** Loads the key pair at {@code privateKeyFile}, generating both files on first use. */
    public static AuditSigningKey loadOrCreate(Path privateKeyFile) throws IOException {
        Path pub = publicKeyPath(privateKeyFile);
        if (Files.exists(privateKeyFile)) {
            PrivateKey priv = readPrivateKey(privateKeyFile);
            PublicKey pk = readPublicKey(pub);
            return new AuditSigningKey(priv, pk);
        }
        KeyPair kp;
        try {
            kp = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 missing from the JDK", e);
        }
        Path dir = privateKeyFile.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        try {
            Files.createFile(
                    privateKeyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException race) {
            return loadOrCreate(privateKeyFile);
        }
        Files.writeString(privateKeyFile, pem("PRIVATE KEY", kp.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
        Files.writeString(pub, pem("PUBLIC KEY", kp.getPublic().getEncoded()), StandardCharsets.US_ASCII);
        return new AuditSigningKey(kp.getPrivate(), kp.getPublic());
    }

    /**
     * Loads the key pair at {@code privateKeyFile}; never creates one (start-up decides that with the key registry:
     * a node whose chain exists must not get a new key silently).
     */
    public static AuditSigningKey load(Path privateKeyFile) throws IOException {
        return new AuditSigningKey(readPrivateKey(privateKeyFile), readPublicKey(publicKeyPath(privateKeyFile)));
    }

    /** A new key pair in memory only: {@link #writeTo} puts it in files. */
    public static AuditSigningKey generate() {
        try {
            KeyPair kp = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            return new AuditSigningKey(kp.getPrivate(), kp.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 missing from the JDK", e);
        }
    }

    /** Writes the private key to a new file {@code privateKeyFile} (0600; refuses to overwrite) and its public key. */
    public void writeTo(Path privateKeyFile) throws IOException {
        Files.createDirectories(privateKeyFile.toAbsolutePath().getParent());
        Files.createFile(
                privateKeyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(privateKeyFile, pem("PRIVATE KEY", privateKey.getEncoded()), StandardCharsets.US_ASCII);
        Files.writeString(publicKeyPath(privateKeyFile), publicKeyPem(publicKey), StandardCharsets.US_ASCII);
    }

    /** The public key as PEM SPKI, as in {@code audit-signing.pub.pem}. */
    public static String publicKeyPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    /** The full SHA-256 (hex) over the SubjectPublicKeyInfo; {@link #keyId} is its first 16 digits. */
    public static String fingerprint(PublicKey key) {
        try {
            return Hex.of(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An Ed25519 public key from its SubjectPublicKeyInfo (DER). */
    public static PublicKey publicKey(byte[] spki) throws GeneralSecurityException {
        return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(spki));
    }

    /** True when {@code signatureB64} is a valid signature by {@code key} over {@code statement}. */
    public static boolean verifyStatement(PublicKey key, byte[] statement, String signatureB64) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(statement);
            return s.verify(Base64.getDecoder().decode(signatureB64));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code dir/audit-signing.key} → {@code dir/audit-signing.pub.pem}. */
    public static Path publicKeyPath(Path privateKeyFile) {
        String name = privateKeyFile.getFileName().toString();
        String base = name.endsWith(".key")
                ? name.substring(0, name.length() - 4)
                : name.endsWith(".pem") ? name.substring(0, name.length() - 4) : name;
        return privateKeyFile.resolveSibling(base + ".pub.pem");
    }

    public static PublicKey readPublicKey(Path pem) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der(pem, "PUBLIC KEY")));
        } catch (GeneralSecurityException e) {
            throw new IOException(pem + " is not an Ed25519 public key (PEM SPKI): " + e.getMessage(), e);
        }
    }

    private static PrivateKey readPrivateKey(Path pem) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der(pem, "PRIVATE KEY")));
        } catch (GeneralSecurityException e) {
            throw new IOException(pem + " is not an Ed25519 private key (PEM PKCS#8): " + e.getMessage(), e);
        }
    }

    /** First 16 hex digits of SHA-256 over the SubjectPublicKeyInfo: names the key in checkpoints. */
    public static String keyId(PublicKey key) {
        return fingerprint(key).substring(0, 16);
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public String keyId() {
        return keyId;
    }

    public Checkpoint sign(String nodeId, long seq, Instant time, String hash) {
        return new Checkpoint(
                nodeId,
                seq,
                time,
                hash,
                keyId,
                ALGORITHM,
                signStatement(Checkpoint.signedBytes(nodeId, seq, time, hash)));
    }

    /**
     * Base64 Ed25519 signature over a statement the gateway makes with this key (checkpoints, transfer
     * receipts), so one public key verifies everything the gateway attests. Statements must not be
     * confusable: checkpoints start with "sekisho-audit-checkpoint-v1", receipts are JSON objects.
     */
    public String signStatement(byte[] statement) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(privateKey);
            s.update(statement);
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with the audit signing key", e);
        }
    }

    /** True when {@code cp} carries a valid signature by {@code key}. */
    public static boolean verify(PublicKey key, Checkpoint cp) {
        return verifyStatement(key, cp.signedBytes(), cp.signature());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] der(Path pem, String type) throws IOException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new IOException(pem + " has no " + begin + " block");
        }
        return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
    }
}
