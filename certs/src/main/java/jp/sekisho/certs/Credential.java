package jp.sekisho.certs;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** An issued certificate, its key, and where they were written (NAME.pem, NAME.key, NAME.p12). */
public record Credential(
        String name,
        X509Certificate certificate,
        PrivateKey privateKey,
        Path certificateFile,
        Path keyFile,
        Path pkcs12File) {}
