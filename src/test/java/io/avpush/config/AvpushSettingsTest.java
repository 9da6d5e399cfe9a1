package io.avpush.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.avpush.media.FrameRate;
import java.io.File;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The shipped configuration files parse, and say what the README says they say. */
class AvpushSettingsTest {

    @Test
    void referenceDefaultsParse() {
        AvpushSettings s = AvpushSettings.from(ConfigFactory.load());
        assertEquals(8080, s.http().port());
        assertEquals(new FrameRate(30, 1), s.media().defaultFps());
        assertEquals(Duration.ofMillis(25), s.media().releaseAhead());
        assertEquals(Duration.ofMinutes(5), s.limits().idleTimeout());
        assertEquals(Duration.ofSeconds(10), s.limits().disconnectedTimeout());
        assertEquals(Duration.ofSeconds(15), s.limits().connectTimeout());
        assertEquals(20, s.auth().maxFailures());
        assertEquals(Duration.ofMinutes(1), s.auth().failureWindow());
        assertEquals("", s.auth().clientAddressHeader());
        assertEquals(64, s.limits().maxSessions());
        assertEquals("dummy", s.webrtc().audioModule());
        assertEquals(Duration.ofMillis(500), s.webrtc().senderReportInterval());
    }

    @Test
    void topLevelApplicationConfParsesOverTheDefaults() {
        AvpushSettings s =
                AvpushSettings.from(ConfigFactory.load(ConfigFactory.parseFile(new File("application.conf"))));
        assertEquals(8080, s.http().port());
        assertEquals(256L << 20, s.limits().maxUploadBytes());
    }

    @Test
    void noKeyMeansDevelopmentModeAndBlankKeysDoNotCount() {
        AvpushSettings defaults = AvpushSettings.from(ConfigFactory.load());
        assertEquals(
                System.getenv("AVPUSH_API_KEY") == null
                        || System.getenv("AVPUSH_API_KEY").isBlank(),
                defaults.auth().devMode());
        assertEquals(Duration.ofMinutes(15), defaults.auth().viewerTokenTtl());
        assertEquals(16, defaults.limits().maxViewersPerSession());
        AvpushSettings blank = AvpushSettings.from(ConfigFactory.parseString("avpush.auth.api-keys = [\"\", \"  \"]")
                .withFallback(ConfigFactory.load()));
        assertEquals(true, blank.auth().devMode(), "an empty AVPUSH_API_KEY must not become a key");
        AvpushSettings keyed = AvpushSettings.from(ConfigFactory.parseString("avpush.auth.api-keys = [\" k1 \", k2]\n"
                        + "avpush.auth.token-secret = \"" + "s".repeat(32) + "\"")
                .withFallback(ConfigFactory.load()));
        assertEquals(java.util.List.of("k1", "k2"), keyed.auth().apiKeys());
    }

    @Test
    void aNodeWithApiKeysRefusesToStartWithoutATokenSecretOrWithAShortOneAndSaysHowToSetIt() {
        ConfigException none = assertThrows(
                ConfigException.class,
                () -> AvpushSettings.from(
                        ConfigFactory.parseString("avpush.auth { api-keys = [k1], token-secret = \"\" }")
                                .withFallback(ConfigFactory.load())));
        for (String says : new String[] {
            "avpush.auth.token-secret",
            "it is empty, but API keys are set",
            "openssl rand -base64 32",
            "AVPUSH_TOKEN_SECRET",
            "the same value on every node"
        }) {
            assertTrue(none.getMessage().contains(says), "lacks '" + says + "': " + none.getMessage());
        }
        ConfigException shortOne = assertThrows(
                ConfigException.class,
                () -> AvpushSettings.from(
                        ConfigFactory.parseString("avpush.auth { api-keys = [k1], token-secret = change-me }")
                                .withFallback(ConfigFactory.load())));
        assertTrue(
                shortOne.getMessage().contains("it is 9 characters")
                        && shortOne.getMessage().contains("at least 32")
                        && shortOne.getMessage().contains("AVPUSH_TOKEN_SECRET"),
                shortOne.getMessage());
        AvpushSettings development =
                AvpushSettings.from(ConfigFactory.parseString("avpush.auth { api-keys = [], token-secret = \"\" }")
                        .withFallback(ConfigFactory.load()));
        assertTrue(
                development.auth().devMode() && development.auth().tokenSecret().isEmpty(),
                "development mode keeps its random per-process secret");
    }

    @Test
    void iceServersAreReadWithTheirCredentials() {
        AvpushSettings s = AvpushSettings.from(
                ConfigFactory.parseString("avpush.webrtc.ice-servers = [{urls = [\"stun:10.0.0.1:3478\"]},"
                                + " {urls = [\"turn:10.0.0.1:3478\"], username = u, credential = p}]")
                        .withFallback(ConfigFactory.load()));
        assertEquals(2, s.webrtc().iceServers().size());
        assertEquals("u", s.webrtc().iceServers().get(1).username());
        assertEquals(null, s.webrtc().iceServers().get(0).credential());
    }

    @Test
    void theBackgroundColourIsReadAsRgbAndABadOneNamesTheFormat() {
        assertEquals(0x000000, AvpushSettings.from(ConfigFactory.load()).media().backgroundRgb());
        assertEquals(
                0x336699,
                AvpushSettings.from(ConfigFactory.parseString("avpush.media.background = \"#336699\"")
                                .withFallback(ConfigFactory.load()))
                        .media()
                        .backgroundRgb());
        ConfigException bad = assertThrows(
                ConfigException.class,
                () -> AvpushSettings.from(ConfigFactory.parseString("avpush.media.background = blue")
                        .withFallback(ConfigFactory.load())));
        assertTrue(
                bad.getMessage().contains("avpush.media.background")
                        && bad.getMessage().contains("'blue' is not a colour"),
                bad.getMessage());
    }

    @Test
    void thePacerAsksForSchedFifo60UnlessToldOtherwiseAndAPriorityOutsideFifosRangeIsRefused() {
        assertEquals(60, AvpushSettings.from(ConfigFactory.load()).media().pacerRealtimePriority());
        assertEquals(
                0,
                AvpushSettings.from(ConfigFactory.parseString("avpush.media.pacer-realtime-priority = 0")
                                .withFallback(ConfigFactory.load()))
                        .media()
                        .pacerRealtimePriority());
        ConfigException bad = assertThrows(
                ConfigException.class,
                () -> AvpushSettings.from(ConfigFactory.parseString("avpush.media.pacer-realtime-priority = 120")
                        .withFallback(ConfigFactory.load())));
        assertTrue(
                bad.getMessage().contains("avpush.media.pacer-realtime-priority")
                        && bad.getMessage().contains("1..99"),
                bad.getMessage());
    }
}
