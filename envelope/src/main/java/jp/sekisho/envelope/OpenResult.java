package jp.sekisho.envelope;

import java.security.cert.X509Certificate;
import jp.sekisho.certs.CertificateSummary;

/**
 * An opened envelope: who signed it (verified and trusted), how many plaintext bytes were written,
 * their SHA-256 (hex), and the content cipher that protected them.
 */
public record OpenResult(
        X509Certificate signer,
        CertificateSummary signerSummary,
        long bytes,
        String plaintextSha256,
        ContentCipher cipher) {}
