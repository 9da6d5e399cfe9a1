package io.avpush.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.avpush.config.ClusterSettings;
import java.util.Map;

/**
 * The actor system's configuration. Without cluster settings it is the loaded configuration,
 * unchanged (local actor provider, one node). In cluster mode, {@code avpush-cluster.conf}
 * (cluster provider, split-brain resolver, sharding) and this node's address and seed nodes from
 * {@code avpush.cluster} go over it; -D system properties still win.
 */
public final class ClusterConfig {

  /** The actor system's name, which is part of every node's address. */
  public static final String SYSTEM_NAME = "avpush";

  private ClusterConfig() {}

  public static Config forActorSystem(Config loaded) {
    ClusterSettings cluster = ClusterSettings.from(loaded);
    if (!cluster.enabled()) {
      return loaded;
    }
    Map<String, Object> node = Map.of(
        "avpush.cluster.enabled", true,
        "pekko.remote.artery.canonical.hostname", cluster.host(),
        "pekko.remote.artery.canonical.port", cluster.port(),
        "pekko.cluster.seed-nodes", cluster.seedNodes().stream()
            .map(hostPort -> "pekko://" + SYSTEM_NAME + "@" + hostPort)
            .toList());
    return ConfigFactory.systemProperties()
        .withFallback(ConfigFactory.parseMap(node))
        .withFallback(ConfigFactory.parseResources("avpush-cluster.conf"))
        .withFallback(loaded)
        .resolve();
  }
}
