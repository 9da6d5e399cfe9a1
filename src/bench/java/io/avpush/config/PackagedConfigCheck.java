package io.avpush.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import io.avpush.cluster.ClusterConfig;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Checks the shaded jar's configuration as the node loads it: every pekko.* setting of avpush
 * ({@value ClusterConfig#PEKKO_SETTINGS}) must be the effective value, not Pekko's default from the
 * reference.conf the jar concatenates. Run with the jar first on the class path and no other
 * reference.conf (scripts/multihost-test.sh does); prints each setting and exits 1 on any lost.
 */
public final class PackagedConfigCheck {

    private PackagedConfigCheck() {}

    public static void main(String[] args) throws Exception {
        List<URL> references =
                Collections.list(PackagedConfigCheck.class.getClassLoader().getResources("reference.conf"));
        if (references.size() != 1 || !references.get(0).getProtocol().equals("jar")) {
            System.out.println("FAIL: expected the jar's one reference.conf on the class path, found " + references);
            System.exit(1);
        }
        Config settings = ConfigFactory.parseResources(ClusterConfig.PEKKO_SETTINGS);
        Config loaded = ClusterConfig.load(ConfigFactory.empty());
        int lost = 0;
        for (Map.Entry<String, ConfigValue> setting : new java.util.TreeMap<>(settings.entrySet().stream()
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)))
                .entrySet()) {
            String key = setting.getKey();
            ConfigValue effective = loaded.getValue(key);
            boolean held = setting.getValue().unwrapped().equals(effective.unwrapped());
            lost += held ? 0 : 1;
            System.out.printf(
                    "%s %s = %s%s%n",
                    held ? "ok  " : "LOST",
                    key,
                    render(effective),
                    held ? "" : " (avpush sets " + render(setting.getValue()) + ")");
        }
        if (settings.entrySet().isEmpty() || lost > 0) {
            System.out.println("FAIL: "
                    + (settings.entrySet().isEmpty()
                            ? ClusterConfig.PEKKO_SETTINGS + " is missing or empty in the jar"
                            : lost + " pekko setting(s) of avpush lost in " + references.get(0)));
            System.exit(1);
        }
        System.out.println("all " + settings.entrySet().size() + " pekko settings of avpush hold in the jar");
    }

    private static String render(ConfigValue value) {
        return value.render(ConfigRenderOptions.concise());
    }
}
