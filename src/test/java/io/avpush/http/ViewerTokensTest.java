package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ViewerTokensTest {

    private static final byte[] SECRET = "north-wind".getBytes(StandardCharsets.UTF_8);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static ViewerTokens at(Instant now) {
        return new ViewerTokens(SECRET, Duration.ofMinutes(15), Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void aTokenNamesItsSessionAndExpiryAndIsValidUntilThen() {
        ViewerTokens.Issued issued = at(T0).issue("abc234defg");
        assertEquals(T0.plus(Duration.ofMinutes(15)), issued.expiresAt());
        assertTrue(
                issued.token().startsWith("abc234defg." + issued.expiresAt().getEpochSecond() + "."), issued.token());
        assertEquals(new ViewerTokens.Check.Valid("abc234defg"), at(T0).check(issued.token()));
        assertEquals(
                new ViewerTokens.Check.Valid("abc234defg"),
                at(T0.plusSeconds(899)).check(issued.token()));
        assertEquals(
                new ViewerTokens.Check.Expired("abc234defg", issued.expiresAt()),
                at(T0.plusSeconds(900)).check(issued.token()));
    }

    @Test
    void changingTheSessionOrTheExpiryOrTheSecretBreaksTheSignature() {
        String token = at(T0).issue("abc234defg").token();
        String expiry = Long.toString(T0.plusSeconds(900).getEpochSecond());
        assertEquals(ViewerTokens.Check.Invalid.INSTANCE, at(T0).check(token.replace("abc234defg", "abc234defh")));
        assertEquals(
                ViewerTokens.Check.Invalid.INSTANCE,
                at(T0).check(token.replace(expiry, Long.toString(Long.parseLong(expiry) + 3600))));
        ViewerTokens other = new ViewerTokens(
                "south-wind".getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(15), Clock.fixed(T0, ZoneOffset.UTC));
        assertEquals(ViewerTokens.Check.Invalid.INSTANCE, other.check(token));
    }

    @Test
    void aSessionIdWithDotsStillRoundTrips() {
        String token = at(T0).issue("node.1.abc").token();
        assertEquals(new ViewerTokens.Check.Valid("node.1.abc"), at(T0).check(token));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"", ".", "..", "abc", "abc.def", "abc.def.ghi", ".123.sig", "abc..sig", "abc.notanumber.c2ln"})
    void garbageIsInvalid(String garbage) {
        assertEquals(ViewerTokens.Check.Invalid.INSTANCE, at(T0).check(garbage));
    }
}
