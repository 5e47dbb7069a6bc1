package jp.sekisho.certs.cli;

import jp.sekisho.certs.CertKind;
import jp.sekisho.certs.KeyAlgorithm;

/** {@code --key-type} of {@code certs issue} and {@code certs request}. */
enum KeyType {
    ec,
    rsa;

    /** Null picks the kind's default, as {@link jp.sekisho.certs.IssueRequest} does: RSA-3072 for recipients. */
    static KeyAlgorithm algorithm(KeyType t, CertKind kind) {
        if (t == null) {
            return kind == CertKind.RECIPIENT ? KeyAlgorithm.RSA_3072 : KeyAlgorithm.EC_P256;
        }
        return t == ec ? KeyAlgorithm.EC_P256 : KeyAlgorithm.RSA_3072;
    }
}
