package jp.sekisho.envelope;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.OutputCompressor;

/**
 * RFC 3274 CompressedData with zlib, the one compression Sekisho writes and reads: the envelope is
 * then EnvelopedData( CompressedData( SignedData(file) ) ), as gpg compresses before it encrypts.
 * Compression must come before encryption (ciphertext does not compress) and after signing (the
 * signature covers the file itself, whatever the transport did).
 */
public final class Compression {

    /** id-ct-compressedData (1.2.840.113549.1.9.16.1.9): what EncryptedContentInfo.contentType says. */
    public static final String COMPRESSED_DATA = CMSObjectIdentifiers.compressedData.getId();

    /** id-alg-zlibCompress (1.2.840.113549.1.9.16.3.8), RFC 3274's one algorithm. */
    static final ASN1ObjectIdentifier ZLIB = new ASN1ObjectIdentifier("1.2.840.113549.1.9.16.3.8");

    /** No compression: the envelope stays exactly what {@code openssl cms -encrypt} writes. */
    public static final int NONE = 0;

    /**
     * zlib level 1: measured on the 305,115-row benefit CSV (64 MB), level 1 takes it to 14.6 MB in
     * 0.27 s on two cores, level 6 to 11.4 MB in 0.65 s (docs/benchmarks.md): the last 20 % cost 2.4×
     * the time, which only a link slower than the sealer repays. That is what {@link #LINK_BOUND_LEVEL}
     * is for.
     */
    public static final int DEFAULT_LEVEL = 1;

    /**
     * The level a compression at {@link #DEFAULT_LEVEL} rises to while the output is the bottleneck
     * (a link slower than the sealer, ~17 MB/s of envelope at level 6 on two cores): there the 22 %
     * fewer bytes are time saved on the link and again on the download, and the deflaters still keep
     * ahead ({@link ParallelDeflaterOutputStream}).
     */
    public static final int LINK_BOUND_LEVEL = 6;

    /**
     * What {@code open} and {@code receive} inflate at most unless told otherwise: 64 GiB, four
     * times the largest envelope a route accepts by default, well past any municipal batch file, and
     * far below what a decompression bomb (1,000:1 and more) would fill a disk with.
     */
    public static final long DEFAULT_MAX_INFLATED = 64L * 1024 * 1024 * 1024;

    private Compression() {}

    /**
     * The authenticated attributes RFC 5083 requires of an AuthEnvelopedData whose content is not
     * id-data: exactly one content-type attribute naming {@code type}, DER (the GCM AAD). Sekisho
     * knows them from the header, before the ciphertext, so GHASH takes them first while the
     * attributes themselves follow the ciphertext; they are then checked to be exactly these.
     */
    public static byte[] contentTypeAttributes(String type) {
        try {
            return new DERSet(new Attribute(CMSAttributes.contentType, new DERSet(new ASN1ObjectIdentifier(type))))
                    .getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The zlib compressor at {@code level} (1-9), streaming in bounded memory, on as many cores as
     * {@link #deflateThreads()} gives ({@link ParallelDeflaterOutputStream}); at {@link #DEFAULT_LEVEL}
     * it rises to {@link #LINK_BOUND_LEVEL} while what it writes to cannot keep up.
     */
    static OutputCompressor zlib(int level) {
        return zlib(level, null);
    }

    /** The same, told by {@code backlog} (null: by its own waits) when the output is behind. */
    static OutputCompressor zlib(int level, Backlog backlog) {
        if (level < 1 || level > 9) {
            throw new IllegalArgumentException("zlib level must be 1-9, not " + level);
        }
        int threads = deflateThreads();
        return new OutputCompressor() {
            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return new AlgorithmIdentifier(ZLIB);
            }

            @Override
            public OutputStream getOutputStream(OutputStream out) {
                int max = level == DEFAULT_LEVEL ? LINK_BOUND_LEVEL : level;
                return new ParallelDeflaterOutputStream(out, level, max, threads, backlog);
            }
        };
    }

    /**
     * Deflating threads: one per core, at most four (past that the encryption and the upload, one
     * thread each, are the limit); {@code sekisho.deflateThreads} overrides it for tests and benchmarks.
     */
    static int deflateThreads() {
        Integer set = Integer.getInteger("sekisho.deflateThreads");
        if (set != null && set >= 1) {
            return set;
        }
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * The inflated content of a zlib stream, refused with {@link InflatedTooLargeException} at the
     * first byte past {@code max}: a bomb is stopped by its output, not its input.
     */
    static InputStream inflate(InputStream compressed, long max) {
        Inflater inflater = new Inflater();
        InflaterInputStream in = new InflaterInputStream(compressed, inflater, Sealer.CHUNK) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    inflater.end();
                }
            }
        };
        return new BoundedStream(in, max);
    }

    /** Thrown (wrapped by parsers as they like) when the inflated content passes its bound. */
    static final class InflatedTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        InflatedTooLargeException(long max) {
            super("the compressed content inflates to more than " + max + " bytes");
        }
    }

    private static final class BoundedStream extends java.io.FilterInputStream {
        private final long max;
        private long count;

        BoundedStream(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            add(s);
            return s;
        }

        private void add(long n) throws InflatedTooLargeException {
            count += n;
            if (count > max) {
                throw new InflatedTooLargeException(max);
            }
        }
    }

    static boolean isInflatedTooLarge(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InflatedTooLargeException) {
                return true;
            }
        }
        return false;
    }
}
