package io.avpush.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import io.avpush.cluster.ClusterConfig;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * avpush's pekko.* settings must hold in the shaded jar too, where the shade plugin concatenates
 * every reference.conf into one, avpush's first, so that for a key set in two of them Pekko's
 * default comes later and wins. The settings therefore live in avpush-pekko.conf, laid over
 * reference.conf by {@link ClusterConfig#load}. scripts/multihost-test.sh checks the real jar
 * ({@code PackagedConfigCheck}); this checks the sources and the layering against the jar's order.
 */
class PekkoOverridesTest {

    @Test
    void avpushsReferenceConfSetsNoPekkoKey() throws Exception {
        Config ours = ConfigFactory.parseURL(ourReferenceConf());
        assertFalse(
                ours.hasPath("pekko"),
                () -> "src/main/resources/reference.conf sets pekko.* keys "
                        + ours.getConfig("pekko").root().keySet()
                        + ": in the shaded jar Pekko's reference.conf comes after ours and "
                        + "its defaults win; put them in " + ClusterConfig.PEKKO_SETTINGS);
    }

    @Test
    void everyPekkoSettingOfAvpushWinsOverReferenceConfsConcatenatedAsInTheJar() throws Exception {
        StringBuilder concatenated = new StringBuilder();
        List<URL> references = Collections.list(getClass().getClassLoader().getResources("reference.conf"));
        URL ours = ourReferenceConf();
        List<URL> jarOrder = new ArrayList<>(List.of(ours));
        references.stream().filter(u -> !u.equals(ours)).forEach(jarOrder::add);
        for (URL url : jarOrder) {
            try (InputStream in = url.openStream()) {
                concatenated
                        .append(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                        .append('\n');
            }
        }
        Config asInTheJar = ConfigFactory.parseString(concatenated.toString());
        assertEquals(
                "8m",
                asInTheJar.resolve().getString("pekko.http.server.parsing.max-content-length"),
                "the concatenation's last word is Pekko's default (the reason for " + ClusterConfig.PEKKO_SETTINGS
                        + ")");

        Config settings = ConfigFactory.parseResources(ClusterConfig.PEKKO_SETTINGS);
        Config effective = settings.withFallback(asInTheJar).resolve();
        assertTrue(
                settings.entrySet().size() >= 8,
                "avpush's pekko settings: " + settings.root().keySet());
        for (Map.Entry<String, ConfigValue> setting : settings.entrySet()) {
            assertEquals(
                    setting.getValue().unwrapped(),
                    effective.getValue(setting.getKey()).unwrapped(),
                    setting.getKey());
        }
        Config loaded = ClusterConfig.load(ConfigFactory.empty());
        for (Map.Entry<String, ConfigValue> setting : settings.entrySet()) {
            assertEquals(
                    setting.getValue().unwrapped(),
                    loaded.getValue(setting.getKey()).unwrapped(),
                    setting.getKey());
        }
    }

    /** avpush's own reference.conf: the one next to its classes. */
    private static URL ourReferenceConf() throws Exception {
        Path classes = Path.of(ClusterConfig.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        return classes.resolve("reference.conf").toUri().toURL();
    }
}
