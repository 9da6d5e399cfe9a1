package io.avpush.browser;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.avpush.cluster.ClusterConfig;
import io.avpush.app.Guardian;
import io.avpush.config.AvpushSettings;
import io.avpush.pacing.PushPacer;
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
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The real avpush node, wired as {@code Main} wires it (engine, pacer, Guardian), on a free port of
 * 127.0.0.1, so that a browser test exercises exactly what a deployment serves.
 */
final class InProcessServer implements AutoCloseable {

  private final WebRtcEngine engine;
  private final PushPacer pacer;
  private final ActorSystem<Void> system;
  private final int port;

  private InProcessServer(WebRtcEngine engine, PushPacer pacer, ActorSystem<Void> system, int port) {
    this.engine = engine;
    this.pacer = pacer;
    this.system = system;
    this.port = port;
  }

  /** Starts the node and returns once its HTTP API answers (or throws after {@code timeout}). */
  static InProcessServer start(Duration timeout) throws IOException, InterruptedException {
    return start(timeout, "127.0.0.1", "");
  }

  /**
   * As above, listening on {@code host} (e.g. "0.0.0.0" to be reached through another namespace),
   * with {@code extraConfig} (HOCON, e.g. ICE servers) over system properties and the defaults.
   */
  static InProcessServer start(Duration timeout, String host, String extraConfig) throws IOException, InterruptedException {
    int port = freePort();
    Config config = ConfigFactory.parseMap(Map.of("avpush.http.host", host, "avpush.http.port", port))
        .withFallback(ConfigFactory.parseString(extraConfig))
        .withFallback(ConfigFactory.systemProperties())
        .withFallback(ClusterConfig.load(ConfigFactory.empty()))
        .resolve();
    AvpushSettings settings = AvpushSettings.from(config);
    WebRtcEngine engine = WebRtcEngine.start(() -> WebRtcTransports.iceServers(settings.webrtc()), WebRtcTransports.engineOptions(settings.webrtc()));
    PushPacer pacer = new PushPacer(settings.media().pacerSpin().toNanos(), settings.media().pacerRealtimePriority());
    ActorSystem<Void> system = ActorSystem.create(
        Guardian.create(settings, new WebRtcTransports(engine), pacer), "avpush-browser-it", config);
    InProcessServer server = new InProcessServer(engine, pacer, system, port);
    try {
      server.awaitListening(timeout);
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  private void awaitListening(Duration timeout) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest list = HttpRequest.newBuilder(URI.create(baseUrl() + "/")).timeout(Duration.ofSeconds(2)).build();
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
      system.getWhenTerminated().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("avpush actor system did not stop within 15 s: " + e);
    }
    pacer.close();
    engine.close();
  }
}
