package io.avpush.config;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-limited TURN credentials from a secret shared with the TURN server, as coturn's
 * {@code use-auth-secret} / {@code static-auth-secret} expects (the "TURN REST API" draft):
 * username = {@code <expiry unix seconds>:<user>}, credential = base64(HMAC-SHA1(secret, username)).
 *
 * <p>Example: secret "north-wind", user "avpush", expiring at 1700000000 gives username
 * "1700000000:avpush" and credential "8SInCBDYytwYTYBsOvwRvRPK4+M=".
 */
public final class TurnRest {

    private TurnRest() {}

    /** A username and the credential that proves it. */
    public record Credentials(String username, String credential) {}

    public static Credentials credentials(String secret, String user, long expiresEpochSeconds) {
        String username = expiresEpochSeconds + ":" + user;
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            byte[] digest = mac.doFinal(username.getBytes(StandardCharsets.UTF_8));
            return new Credentials(username, Base64.getEncoder().encodeToString(digest));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every Java runtime", e);
        }
    }
}
