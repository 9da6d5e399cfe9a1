package io.avpush.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TurnRestTest {

    /** Expected credentials computed independently: base64(hmac.new(secret, username, sha1)) in Python. */
    @ParameterizedTest(name = "{0} / {1} @ {2}")
    @CsvSource({
        "north-wind, avpush, 1700000000, 1700000000:avpush, 8SInCBDYytwYTYBsOvwRvRPK4+M=",
    })
    void credentialsAreCoturnsRestApiHmac(
            String secret, String user, long expires, String username, String credential) {
        TurnRest.Credentials c = TurnRest.credentials(secret, user, expires);
        assertEquals(username, c.username());
        assertEquals(credential, c.credential());
    }

    @Test
    void configuredTurnRestServerIsAddedWithCredentialsValidForTheTtl() {
        WebRtcSettings s = AvpushSettings.from(ConfigFactory.parseString(
                                "avpush.webrtc.ice-servers = [{urls = [\"stun:10.0.0.1:3478\"]}]\n"
                                        + "avpush.webrtc.turn-rest { urls = [\"turn:10.0.0.1:3478\"], secret = north-wind, ttl = 1 h }")
                        .withFallback(ConfigFactory.load())
                        .resolve())
                .webrtc();
        List<WebRtcSettings.IceServerSettings> now = s.iceServersAt(Instant.ofEpochSecond(1_699_996_400L));
        assertEquals(2, now.size());
        assertEquals(List.of("turn:10.0.0.1:3478"), now.get(1).urls());
        assertEquals("1700000000:avpush", now.get(1).username());
        assertEquals("8SInCBDYytwYTYBsOvwRvRPK4+M=", now.get(1).credential());
    }

    @Test
    void withoutASecretOnlyTheStaticServersAreUsed() {
        WebRtcSettings s = AvpushSettings.from(ConfigFactory.load()).webrtc();
        assertTrue(s.iceServersAt(Instant.now()).isEmpty());
    }
}
