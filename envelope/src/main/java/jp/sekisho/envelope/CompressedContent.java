package jp.sekisho.envelope;

import java.io.InputStream;
import jp.sekisho.envelope.EnvelopeException.Reason;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.CMSCompressedDataParser;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSTypedStream;
import org.bouncycastle.operator.InputExpander;
import org.bouncycastle.operator.InputExpanderProvider;

/** The receiving half of {@link Compression}: a decrypted CompressedData, inflated as it is read, within a bound. */
final class CompressedContent {

    private CompressedContent() {}

    /**
     * The SignedData inside the decrypted {@code content}, a ContentInfo(CompressedData); zlib only,
     * never more than {@code max} inflated bytes.
     */
    static InputStream inflated(InputStream content, long max) throws CMSException {
        CMSCompressedDataParser parser = new CMSCompressedDataParser(content);
        CMSTypedStream typed = parser.getContent(new ZlibOnly(max));
        if (!CMSObjectIdentifiers.signedData.equals(typed.getContentType())) {
            throw new EnvelopeException(
                    Reason.SIGNATURE_INVALID,
                    "圧縮された内容が署名付きファイルではありません / the compressed content is not a signed file (" + typed.getContentType()
                            + ")");
        }
        return typed.getContentStream();
    }

    static EnvelopeException tooLarge(Throwable cause) {
        Throwable c = cause;
        while (c != null && !(c instanceof Compression.InflatedTooLargeException)) {
            c = c.getCause();
        }
        return new EnvelopeException(
                Reason.INFLATED_TOO_LARGE,
                "圧縮された内容が展開の上限を超えました。送信元に確認し、妥当なら --max-inflated で上限を上げてください"
                        + " / the compressed content inflates past the limit; check with the sender and, if it is"
                        + " genuine, raise the limit with --max-inflated"
                        + (c != null ? " (" + c.getMessage() + ")" : ""),
                cause);
    }

    /** RFC 3274's zlib and nothing else: another algorithm is refused before a byte is inflated. */
    private record ZlibOnly(long max) implements InputExpanderProvider {
        @Override
        public InputExpander get(AlgorithmIdentifier alg) {
            if (!Compression.ZLIB.equals(alg.getAlgorithm())) {
                throw new EnvelopeException(
                        Reason.COMPRESSION_UNSUPPORTED,
                        "対応していない圧縮方式です (zlib のみ) / unsupported compression algorithm "
                                + alg.getAlgorithm().getId() + " (only zlib, 1.2.840.113549.1.9.16.3.8)");
            }
            return new InputExpander() {
                @Override
                public AlgorithmIdentifier getAlgorithmIdentifier() {
                    return alg;
                }

                @Override
                public InputStream getInputStream(InputStream compressed) {
                    return Compression.inflate(compressed, max);
                }
            };
        }
    }
}
