package jp.sekisho.client;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Has the JIT's optimising tier (C2) compile the JDK's bulk crypto before a large transfer's bytes
 * arrive (issue 18: the 1 GiB hand-off and {@code send --encrypted}).
 *
 * <p>The JDK's AES-GCM and SHA-256 are fast only through their intrinsics (AES-NI with VPCLMULQDQ,
 * SHA-NI), and only C2 uses those; until the calling methods are hot enough for C2, every TLS record
 * is encrypted by Java code one AES block at a time. Profiled on two cores (async-profiler, a cold
 * {@code send --encrypted} of a 1 GiB envelope): about 0.8 s of the sending thread went to that
 * slow path before C2 took over, about a third of the file. A plain loop of 256 MiB in TLS-sized
 * records took 0.97–1.43 s cold and 0.14–0.23 s after this warm-up.
 *
 * <p>So a few thousand small records go through the same calls the JDK's TLS 1.3 makes for each
 * record (a fresh nonce, the record header as AAD, in-place {@code doFinal} on heap buffers), in both
 * directions, and small updates through SHA-256; that compiles the same JDK methods the transfer then
 * runs. It takes ~0.3 s of one core, on a daemon thread, while the command starts, reads its keys and
 * shakes hands. The key is all zeros: nothing secret passes through it, and its output is dropped.
 */
final class BulkCryptoWarmup {

    /** Records per direction: 3,000 of {@link #RECORD} bytes had C2 compile the intrinsic paths here. */
    static final int RECORDS = 3_000;

    /** At least the JDK's smallest length for its combined AES-GCM intrinsic (512 bytes). */
    static final int RECORD = 512;

    /** TLS 1.3's record header, the AAD of each record. */
    private static final int HEADER = 5;

    private static final int TAG_BITS = 128;

    private BulkCryptoWarmup() {}

    /** Runs the warm-up; any failure only means the transfer compiles these paths itself. */
    static void run() {
        try {
            gcmRecords(RECORDS);
            sha256(RECORDS / 2);
        } catch (GeneralSecurityException | RuntimeException e) {
            // the transfer compiles the same paths itself, later
        }
    }

    /** {@code n} records encrypted and decrypted in place, as the JDK's TLS 1.3 record layer does. */
    static void gcmRecords(int n) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        SecretKeySpec key = new SecretKeySpec(new byte[32], "AES");
        byte[] header = new byte[HEADER];
        byte[] record = new byte[RECORD + TAG_BITS / 8];
        byte[] nonce = new byte[12];
        for (int i = 0; i < n; i++) {
            nonce[8] = (byte) i; // a new nonce per record: GCM refuses to encrypt twice under one
            nonce[9] = (byte) (i >>> 8);
            nonce[10] = (byte) (i >>> 16);
            GCMParameterSpec spec = new GCMParameterSpec(TAG_BITS, nonce.clone());

            c.init(Cipher.ENCRYPT_MODE, key, spec);
            c.updateAAD(header);
            ByteBuffer plain = ByteBuffer.wrap(record, 0, RECORD);
            ByteBuffer out = plain.duplicate().limit(RECORD + TAG_BITS / 8);
            c.doFinal(plain, out);

            c.init(Cipher.DECRYPT_MODE, key, spec);
            c.updateAAD(header);
            ByteBuffer sealed = ByteBuffer.wrap(record);
            c.doFinal(sealed, sealed.duplicate());
        }
    }

    /** {@code n} updates of SHA-256, each several blocks long (the multi-block intrinsic). */
    static void sha256(int n) throws GeneralSecurityException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] block = new byte[8192];
        for (int i = 0; i < n; i++) {
            md.update(block, 0, block.length);
        }
        md.digest();
    }
}
