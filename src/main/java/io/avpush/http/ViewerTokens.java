package io.avpush.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived tokens that let a browser view one session and nothing else, without a server-side
 * table: {@code <sessionId>.<expiry unix seconds>.<base64url(HMAC-SHA256(secret, sessionId + "." + expiry))>}.
 *
 * <p>Example: session "abc234defg" expiring at 1700000000 gives
 * {@code abc234defg.1700000000.<43 base64url characters>}; changing any character of the id or
 * the expiry breaks the signature.
 */
final class ViewerTokens {

    /** A token and the instant it stops starting viewers. */
    record Issued(String token, Instant expiresAt) {}

    /** What a presented token is. */
    sealed interface Check {
        record Valid(String sessionId) implements Check {}

        record Expired(String sessionId, Instant expiredAt) implements Check {}

        /** Not a token signed with this node's secret (or not a token at all). */
        enum Invalid implements Check {
            INSTANCE
        }
    }

    private final SecretKeySpec key;
    private final Duration ttl;
    private final Clock clock;

    ViewerTokens(byte[] secret, Duration ttl, Clock clock) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
        this.ttl = ttl;
        this.clock = clock;
    }

    Issued issue(String sessionId) {
        Instant expires = clock.instant().plus(ttl);
        String payload = sessionId + "." + expires.getEpochSecond();
        return new Issued(payload + "." + sign(payload), Instant.ofEpochSecond(expires.getEpochSecond()));
    }

    Check check(String token) {
        int sigAt = token.lastIndexOf('.');
        int expiryAt = sigAt <= 0 ? -1 : token.lastIndexOf('.', sigAt - 1);
        if (expiryAt <= 0) {
            return Check.Invalid.INSTANCE;
        }
        String payload = token.substring(0, sigAt);
        byte[] expected = sign(payload).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, token.substring(sigAt + 1).getBytes(StandardCharsets.US_ASCII))) {
            return Check.Invalid.INSTANCE;
        }
        String sessionId = token.substring(0, expiryAt);
        long expiry;
        try {
            expiry = Long.parseLong(token.substring(expiryAt + 1, sigAt));
        } catch (NumberFormatException e) {
            return Check.Invalid.INSTANCE;
        }
        if (clock.instant().getEpochSecond() >= expiry) {
            return new Check.Expired(sessionId, Instant.ofEpochSecond(expiry));
        }
        return new Check.Valid(sessionId);
    }

    private String sign(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
