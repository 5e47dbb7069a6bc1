package jp.sekisho.certs;

/** Bad input to the PKI (missing folder, unknown name, expired CA...): the message names the problem. */
public final class PkiException extends RuntimeException {
    public PkiException(String message) {
        super(message);
    }

    public PkiException(String message, Throwable cause) {
        super(message, cause);
    }
}
