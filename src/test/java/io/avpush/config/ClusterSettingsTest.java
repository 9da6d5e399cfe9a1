package io.avpush.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.avpush.cluster.ClusterConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cluster mode is off unless configured; when on, the node's address and seeds reach Pekko. */
class ClusterSettingsTest {

    @Test
    void withoutClusterSettingsTheNodeRunsAloneAsBefore() {
        Config config = ClusterConfig.load(ConfigFactory.parseFile(new java.io.File("application.conf")));
        assertFalse(ClusterSettings.from(config).enabled());
        assertEquals("local", config.getString("pekko.actor.provider"));
        assertFalse(config.getBoolean("pekko.actor.allow-java-serialization"));
    }

    @Test
    void seedNodesTurnClusterModeOnAndBecomePekkoAddresses() {
        Config config = ClusterConfig.load(ConfigFactory.parseString(
                "avpush.cluster { seed-nodes = \"10.0.0.1:25520, 10.0.0.2:25520\", host = \"10.0.0.3\", port = 25521 }\n"
                        + "avpush.http.port = 8083"));
        ClusterSettings s = ClusterSettings.from(config);
        assertTrue(s.enabled());
        assertEquals("http://10.0.0.3:8083", s.httpUrl());
        assertEquals("cluster", config.getString("pekko.actor.provider"));
        assertEquals("10.0.0.3", config.getString("pekko.remote.artery.canonical.hostname"));
        assertEquals(25521, config.getInt("pekko.remote.artery.canonical.port"));
        assertEquals(
                List.of("pekko://avpush@10.0.0.1:25520", "pekko://avpush@10.0.0.2:25520"),
                config.getStringList("pekko.cluster.seed-nodes"));
        assertEquals("keep-majority", config.getString("pekko.cluster.split-brain-resolver.active-strategy"));
        assertEquals("none", config.getString("pekko.cluster.sharding.passivation.strategy"));
        assertFalse(config.getBoolean("pekko.actor.allow-java-serialization"));
    }

    @Test
    void theUsersConfigurationOverridesTheClusterDefaults() {
        Config config = ClusterConfig.load(ConfigFactory.parseString(
                "avpush.cluster.enabled = on\npekko.cluster.split-brain-resolver.stable-after = 20 s\n"
                        + "avpush.cluster.http-url = \"https://node1.example/\""));
        assertEquals(
                java.time.Duration.ofSeconds(20),
                config.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
        assertEquals("https://node1.example", ClusterSettings.from(config).httpUrl());
    }

    @Test
    void aSeedThatIsNotHostPortIsRejectedWithTheKeyToFix() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ClusterSettings.from(
                        ConfigFactory.parseString("avpush.cluster.seed-nodes = \"pekko://avpush@10.0.0.1:25520\"")
                                .withFallback(ConfigFactory.load())));
        assertTrue(
                e.getMessage().contains("AVPUSH_SEED_NODES") && e.getMessage().contains("host:port"), e.getMessage());
    }
}
