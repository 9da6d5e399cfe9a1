package io.avpush.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.avpush.app.Guardian;
import io.avpush.cluster.ClusterConfig;
import io.avpush.config.AvpushSettings;
import io.avpush.pacing.PushPacer;
import io.avpush.session.Transport;
import io.avpush.testing.ApiClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real composition root ({@link Guardian}: registry, routes, binding) and the real pacer on a
 * free port of 127.0.0.1, with the transport the test chooses. Returns once the API answers.
 * A test class that shares one node between its tests registers {@link #perClass} instead.
 */
final class TestServer implements AutoCloseable {

    /**
     * One node for a whole test class: {@code @RegisterExtension static final TestServer.PerClass
     * server = TestServer.perClass("name", outputs, overrides);} starts it before the first test and
     * stops it after the last; {@link PerClass#client} is usable from the start (its port is chosen
     * at once).
     */
    static PerClass perClass(String name, Transport.Factory outputs, String overrides) {
        try {
            return new PerClass(name, outputs, overrides, freePort());
        } catch (IOException e) {
            throw new IllegalStateException("no free port for the test node", e);
        }
    }

    static final class PerClass implements BeforeAllCallback, AfterAllCallback {
        private final String name;
        private final Transport.Factory outputs;
        private final String overrides;
        private final int port;
        final ApiClient client;
        private TestServer server;

        private PerClass(String name, Transport.Factory outputs, String overrides, int port) {
            this.name = name;
            this.outputs = outputs;
            this.overrides = overrides;
            this.port = port;
            this.client = new ApiClient(URI.create("http://127.0.0.1:" + port));
        }

        @Override
        public void beforeAll(ExtensionContext context) throws Exception {
            server = start(name, outputs, overrides, port);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            if (server != null) {
                server.close();
            }
        }
    }

    private final ActorTestKit testKit;
    private final PushPacer pacer;
    final ApiClient client;

    private TestServer(ActorTestKit testKit, PushPacer pacer, ApiClient client) {
        this.testKit = testKit;
        this.pacer = pacer;
        this.client = client;
    }

    /** {@code overrides} is HOCON over reference.conf, e.g. {@code avpush.limits.max-sessions = 2}. */
    static TestServer start(String name, Transport.Factory outputs, String overrides) throws Exception {
        return start(name, outputs, overrides, freePort());
    }

    private static TestServer start(String name, Transport.Factory outputs, String overrides, int port)
            throws Exception {
        Config config = ConfigFactory.parseString(overrides)
                .withFallback(ConfigFactory.parseString("avpush.http { host = \"127.0.0.1\", port = " + port + " }"))
                .withFallback(ClusterConfig.load(ConfigFactory.empty()))
                .resolve();
        ActorTestKit testKit = ActorTestKit.create(name, config);
        PushPacer pacer = new PushPacer();
        testKit.spawn(Guardian.create(AvpushSettings.from(config), outputs, pacer), "guardian");
        ApiClient client = new ApiClient(URI.create("http://127.0.0.1:" + port));
        TestServer server = new TestServer(testKit, pacer, client);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                client.get("/");
                return server;
            } catch (IOException notYetListening) {
                if (System.nanoTime() > deadline) {
                    server.close();
                    throw new IllegalStateException(
                            "the API did not listen on port " + port + " within 30 s (a loaded machine starts slowly)",
                            notYetListening);
                }
            }
            Thread.sleep(50);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        testKit.shutdownTestKit();
        pacer.close();
    }
}
