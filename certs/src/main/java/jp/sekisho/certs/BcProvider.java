package jp.sekisho.certs;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The one BouncyCastle provider instance of this JVM, private (never registered JVM-wide), made on
 * first use: building it registers every BouncyCastle algorithm (about 0.1 s of a cold JVM), which
 * an everyday send or receive with RSA keys and unencrypted PEM never needs. Used only where the
 * JDK lacks the algorithm: ECDH with the X9.63 KDF (EC recipients) and PKCS#8 keys encrypted with
 * AES/CBC/PKCS7Padding.
 */
public final class BcProvider {

    private BcProvider() {}

    public static Provider get() {
        return Holder.INSTANCE;
    }

    private static final class Holder {
        static final Provider INSTANCE = new BouncyCastleProvider();
    }
}
