package io.avpush.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.avpush.cluster.ClusterConfig;
import io.avpush.config.AvpushSettings;
import io.avpush.config.ClusterSettings;
import io.avpush.pacing.PushPacer;
import io.avpush.webrtc.WebRtcEngine;
import io.avpush.webrtc.WebRtcTransports;
import java.io.File;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.LoggerFactory;

/**
 * Starts one avpush node: the node's WebRTC engine and pacer, then the actor system. The natives
 * are freed after the actor system has stopped every session.
 */
public final class Main {

    private Main() {}

    /** The exit status of a node that refuses to start because of its configuration. */
    static final int BAD_CONFIGURATION = 2;

    public static void main(String[] args) {
        Config config;
        AvpushSettings settings;
        try {
            config = loadConfig();
            if (ClusterSettings.from(config).enabled()) {
                // A node that the split-brain resolver downs (or that cannot join) stops its actor system;
                // the process then exits too, so that a supervisor (docker's restart policy) starts a fresh node.
                config = ConfigFactory.parseString("pekko.coordinated-shutdown.exit-jvm = on")
                        .withFallback(config);
            }
            settings = AvpushSettings.from(config);
        } catch (ConfigException | IllegalArgumentException e) {
            LoggerFactory.getLogger(Main.class).error("avpush does not start: {}", e.getMessage());
            System.exit(BAD_CONFIGURATION);
            return;
        }
        JvmCheck.warnings(JvmCheck.Jvm.current()).forEach(LoggerFactory.getLogger(Main.class)::warn);
        WebRtcEngine engine = WebRtcEngine.start(
                () -> WebRtcTransports.iceServers(settings.webrtc()),
                WebRtcTransports.engineOptions(settings.webrtc()));
        PushPacer pacer = new PushPacer(
                settings.media().pacerSpin().toNanos(), settings.media().pacerRealtimePriority());
        Runnable closeNatives = () -> {
            pacer.close();
            engine.close();
        };
        ActorSystem<Void> system = ActorSystem.create(
                Guardian.create(settings, new WebRtcTransports(engine), pacer, closeNatives),
                ClusterConfig.SYSTEM_NAME,
                config);
        system.getWhenTerminated().thenRun(closeNatives);
    }

    /**
     * application.conf from the working directory (or -Dconfig.file), over the defaults in
     * reference.conf; in cluster mode with the cluster's settings between them (ClusterConfig).
     */
    static Config loadConfig() {
        File local = new File("application.conf");
        if (System.getProperty("config.file") == null && local.isFile()) {
            return ClusterConfig.load(ConfigFactory.parseFile(local));
        }
        return ClusterConfig.load(ConfigFactory.defaultApplication());
    }
}
