package jp.sekisho.certs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** A freshly built credential and the three files it becomes. */
record IssuedFiles(IssueRequest req, X509Certificate cert, PrivateKey key, X509Certificate caCert, Path dir) {

    void stage(StagedFiles files) {
        files.publicFile(pem(), Pem.encode(cert).getBytes(StandardCharsets.US_ASCII));
        files.secret(keyFile(), Pem.encodePrivateKey(key, null).getBytes(StandardCharsets.US_ASCII));
        files.secret(p12(), Pkcs12.encode(req.name(), key, req.p12Password(), cert, caCert));
    }

    Credential credential() {
        return new Credential(req.name(), cert, key, pem(), keyFile(), p12());
    }

    private Path pem() {
        return dir.resolve(req.name() + ".pem");
    }

    private Path keyFile() {
        return dir.resolve(req.name() + ".key");
    }

    private Path p12() {
        return dir.resolve(req.name() + ".p12");
    }
}
