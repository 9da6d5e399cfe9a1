package io.avpush.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.avpush.app.Guardian;
import io.avpush.cluster.ClusterConfig;
import io.avpush.config.AvpushSettings;
import io.avpush.pacing.Pacer;
import io.avpush.pacing.PushPacer;
import io.avpush.session.Transport;
import io.avpush.webrtc.WebRtcEngine;
import io.avpush.webrtc.WebRtcTransports;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The real avpush node in this JVM, wired as {@code Main} wires it (WebRTC engine, pacer, Guardian)
 * on a free port, so that a browser test or a benchmark exercises what a deployment serves. A
 * benchmark may put its own measuring pacer or transports between the parts ({@link Builder#pacer},
 * {@link Builder#transports}), or leave libwebrtc out ({@link Builder#withoutEngine}). Returns once
 * the HTTP API answers; closing stops every session (which frees their natives), then the pacer,
 * then the engine.
 */
public final class InProcessNode implements AutoCloseable {

    private final ActorSystem<Void> system;
    private final PushPacer pacer;
    private final WebRtcEngine engine;
    private final AvpushSettings settings;
    private final int port;

    private InProcessNode(
            ActorSystem<Void> system, PushPacer pacer, WebRtcEngine engine, AvpushSettings settings, int port) {
        this.system = system;
        this.pacer = pacer;
        this.engine = engine;
        this.settings = settings;
        this.port = port;
    }

    /** A node for a browser test on 127.0.0.1; returns once its HTTP API answers (or throws after {@code timeout}). */
    public static InProcessNode start(Duration timeout) throws IOException, InterruptedException {
        return start(timeout, "127.0.0.1", "");
    }

    /**
     * As above, listening on {@code host} (e.g. "0.0.0.0" to be reached through another namespace),
     * with {@code extraConfig} (HOCON, e.g. ICE servers) over system properties and the defaults.
     */
    public static InProcessNode start(Duration timeout, String host, String extraConfig)
            throws IOException, InterruptedException {
        return named("avpush-browser-it").host(host).config(extraConfig).start(timeout);
    }

    /**
     * A node whose actor system is {@code systemName}: its threads are named after it
     * ({@code <name>-pekko.actor...}), which is how the benchmarks tell the server's threads apart.
     */
    public static Builder named(String systemName) {
        return new Builder(systemName);
    }

    /** How the node is made; every part defaults to what {@code Main} does. */
    public static final class Builder {
        private final String systemName;
        private String host = "127.0.0.1";
        private String config = "";
        private boolean withEngine = true;
        private Function<WebRtcEngine, Transport.Factory> transports = WebRtcTransports::new;
        private BiFunction<AvpushSettings, PushPacer, Pacer> pacer = (settings, real) -> real;

        private Builder(String systemName) {
            this.systemName = systemName;
        }

        public Builder host(String listenOn) {
            this.host = listenOn;
            return this;
        }

        /** HOCON over system properties and the defaults (reference.conf, avpush's Pekko settings). */
        public Builder config(String hocon) {
            this.config = hocon;
            return this;
        }

        /** The transport factory the Guardian gets, made from the node's engine (null {@link #withoutEngine}). */
        public Builder transports(Function<WebRtcEngine, Transport.Factory> fromEngine) {
            this.transports = fromEngine;
            return this;
        }

        /** The pacer the Guardian gets, around the node's real one (which the node closes). */
        public Builder pacer(BiFunction<AvpushSettings, PushPacer, Pacer> aroundReal) {
            this.pacer = aroundReal;
            return this;
        }

        /** No libwebrtc: the transports then must not need it. */
        public Builder withoutEngine() {
            this.withEngine = false;
            return this;
        }

        public InProcessNode start(Duration timeout) throws IOException, InterruptedException {
            int port = freePort();
            Config full = ConfigFactory.parseMap(Map.of("avpush.http.host", host, "avpush.http.port", port))
                    .withFallback(ConfigFactory.parseString(config))
                    .withFallback(ConfigFactory.systemProperties())
                    .withFallback(ClusterConfig.load(ConfigFactory.empty()))
                    .resolve();
            AvpushSettings settings = AvpushSettings.from(full);
            WebRtcEngine engine = withEngine
                    ? WebRtcEngine.start(
                            () -> WebRtcTransports.iceServers(settings.webrtc()),
                            WebRtcTransports.engineOptions(settings.webrtc()))
                    : null;
            PushPacer real = new PushPacer(
                    settings.media().pacerSpin().toNanos(), settings.media().pacerRealtimePriority());
            ActorSystem<Void> system;
            try {
                system = ActorSystem.create(
                        Guardian.create(settings, transports.apply(engine), pacer.apply(settings, real)),
                        systemName,
                        full);
            } catch (RuntimeException | Error e) {
                real.close();
                if (engine != null) {
                    engine.close();
                }
                throw e;
            }
            InProcessNode node = new InProcessNode(system, real, engine, settings, port);
            try {
                node.awaitListening(timeout);
            } catch (IOException | InterruptedException | RuntimeException e) {
                node.close();
                throw e;
            }
            return node;
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public AvpushSettings settings() {
        return settings;
    }

    /** The node's WebRTC engine, or null when it was made {@link Builder#withoutEngine}. */
    public WebRtcEngine engine() {
        return engine;
    }

    private void awaitListening(Duration timeout) throws IOException, InterruptedException {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest list = HttpRequest.newBuilder(URI.create(baseUrl() + "/"))
                .timeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (client.send(list, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new IOException("avpush did not answer on " + baseUrl() + " within " + timeout.toSeconds() + " s", last);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops every session (which frees their natives), then the pacer, then the engine. */
    @Override
    public void close() {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("avpush actor system did not stop within 20 s: " + e);
        }
        pacer.close();
        if (engine != null) {
            engine.close();
        }
    }
}
