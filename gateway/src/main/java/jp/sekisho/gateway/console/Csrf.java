package jp.sekisho.gateway.console;

import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import jp.sekisho.gateway.identity.Principal;

/**
 * The console's cross-site request forgery token. The browser's client certificate is sent on
 * every request, whichever site made the browser send it, so a form is honoured only with a token
 * that a page of this gateway gave this certificate: HMAC-SHA256 over the certificate's fingerprint
 * with a key made at start. Nothing is stored; a restart (or another node) makes earlier pages'
 * forms fail once, with a message that says to reload the page.
 */
@Singleton
public final class Csrf {

    public static final String FIELD = "_csrf";

    private final byte[] key = new byte[32];

    public Csrf() {
        new SecureRandom().nextBytes(key);
    }

    public String token(Principal principal) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] t = mac.doFinal(("sekisho-console-csrf|" + principal.sha256()).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(t);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Constant-time comparison with the token this principal's pages carry. */
    public boolean valid(Principal principal, String token) {
        if (token == null || token.isEmpty() || token.length() > 128) {
            return false;
        }
        return MessageDigest.isEqual(
                token(principal).getBytes(StandardCharsets.US_ASCII), token.getBytes(StandardCharsets.US_ASCII));
    }
}
