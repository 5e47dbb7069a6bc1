package jp.sekisho.envelope;

import java.io.IOException;

/** An IOException so that it travels unchanged through BouncyCastle's stream layers. */
final class TagMismatchException extends IOException {
    TagMismatchException(String message) {
        super(message);
    }
}
