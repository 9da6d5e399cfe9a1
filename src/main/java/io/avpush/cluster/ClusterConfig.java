package io.avpush.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.avpush.config.AvpushSettings;
import io.avpush.config.ClusterSettings;
import java.util.Map;

/**
 * The actor system's configuration: system properties over the user's configuration
 * (application.conf) over {@value #PEKKO_SETTINGS} (avpush's settings of Pekko) over
 * reference.conf, as {@code ConfigFactory.load} makes it. Without cluster settings that is all
 * (local actor provider, one node). In cluster mode two more layers go under the user's
 * configuration: this node's address and seed nodes from {@code avpush.cluster}, then
 * {@code avpush-cluster.conf} (cluster provider, split-brain resolver, sharding, the join check of
 * {@link TokenSecretCheck}); so application.conf and -D still override any of them.
 *
 * <p>avpush's pekko.* settings cannot live in reference.conf: the shaded jar concatenates every
 * reference.conf, ours first, so Pekko's defaults would win there. Anything that starts an actor
 * system for avpush (tests too) loads its configuration here.
 */
public final class ClusterConfig {

    /** The actor system's name, which is part of every node's address. */
    public static final String SYSTEM_NAME = "avpush";

    /** The resource with avpush's pekko.* settings, laid over reference.conf. */
    public static final String PEKKO_SETTINGS = "avpush-pekko.conf";

    private ClusterConfig() {}

    /** @param user the user's configuration, unresolved (application.conf, test overrides) */
    public static Config load(Config user) {
        Config pekko = ConfigFactory.parseResources(
                PEKKO_SETTINGS, ConfigParseOptions.defaults().setAllowMissing(false));
        Config plain = ConfigFactory.load(user.withFallback(pekko));
        ClusterSettings cluster = ClusterSettings.from(plain);
        if (!cluster.enabled()) {
            return plain;
        }
        Map<String, Object> node = Map.of(
                "avpush.cluster.enabled",
                true,
                TokenSecretCheck.KEY,
                TokenSecretCheck.fingerprint(AvpushSettings.from(plain).auth()),
                "pekko.remote.artery.canonical.hostname",
                cluster.host(),
                "pekko.remote.artery.canonical.port",
                cluster.port(),
                "pekko.cluster.seed-nodes",
                cluster.seedNodes().stream()
                        .map(hostPort -> "pekko://" + SYSTEM_NAME + "@" + hostPort)
                        .toList());
        return ConfigFactory.load(user.withFallback(ConfigFactory.parseMap(node))
                .withFallback(ConfigFactory.parseResources("avpush-cluster.conf"))
                .withFallback(pekko));
    }
}
