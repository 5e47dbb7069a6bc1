package jp.sekisho.gateway.console;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.policy.PolicyServices;

/**
 * The console's cross-site request forgery token. The browser's client certificate is sent on
 * every request, whichever site made the browser send it, so a form is honoured only with a token
 * that a page of this installation gave this certificate: HMAC-SHA256 over the certificate's
 * fingerprint with a key derived from the policy seal key. Every node of one installation holds
 * that key (checked at start), so a form from a page of node 1 is honoured by node 2 behind a load
 * balancer, and by the same node after a restart; nothing is stored.
 */
@Singleton
public final class Csrf {

    public static final String FIELD = "_csrf";

    private final byte[] key;

    @Inject
    public Csrf(PolicyServices policy) {
        this(policy.seal().derive("console-csrf"));
    }

    Csrf(byte[] key) {
        this.key = key.clone();
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
