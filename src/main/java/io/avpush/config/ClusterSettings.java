package io.avpush.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Whether this node joins a Pekko cluster, and how: the address other nodes reach it at, the
 * seed nodes, and the URL of its HTTP API that other nodes forward segment uploads to.
 *
 * @param seedNodes "host:port" of the seed nodes' cluster ports
 */
public record ClusterSettings(
        boolean enabled, String host, int port, List<String> seedNodes, String httpUrl, Duration loadTimeout) {

    /** Reads {@code avpush.cluster}; a non-empty seed node list turns cluster mode on by itself. */
    public static ClusterSettings from(Config root) {
        Config c = root.getConfig("avpush.cluster");
        List<String> seeds = Arrays.stream(c.getString("seed-nodes").split("[,\\s]+"))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
        for (String seed : seeds) {
            if (!seed.matches("[^:/@]+:\\d{1,5}")) {
                throw new IllegalArgumentException("avpush.cluster.seed-nodes (AVPUSH_SEED_NODES): '" + seed
                        + "' is not host:port, e.g. 10.0.0.1:25520,10.0.0.2:25520");
            }
        }
        String host = c.getString("host");
        String url = c.getString("http-url");
        if (url.isBlank()) {
            url = "http://" + host + ":" + root.getInt("avpush.http.port");
        }
        return new ClusterSettings(
                c.getBoolean("enabled") || !seeds.isEmpty(),
                host,
                c.getInt("port"),
                seeds,
                url.replaceAll("/+$", ""),
                c.getDuration("load-timeout"));
    }
}
