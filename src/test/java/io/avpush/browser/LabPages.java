package io.avpush.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web server of the sync lab's pages, on an origin of its own: the pages in the test resources'
 * {@code lab/} (plain.html, demo.html, watch.js), Eyevinn's player page and bundle, and, for every
 * other path, a proxy to avpush (so that the demo page, served through it, shares the wrapper's
 * origin). {@code POST /lab/report?viewer=NAME} collects what watch.js reports, per viewer.
 */
final class LabPages implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> TYPES =
            Map.of(".html", "text/html; charset=utf-8", ".js", "text/javascript");

    private final HttpServer http;
    private final String host;
    private final URI avpush;
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, ObjectNode> reports = new ConcurrentHashMap<>();

    private LabPages(HttpServer http, String host, URI avpush) {
        this.http = http;
        this.host = host;
        this.avpush = avpush;
    }

    /**
     * Serves on all addresses; pages are addressed as {@code http://host:port}, and other paths go to
     * avpush at {@code avpushBase} (null: they are 404).
     */
    static LabPages start(String host, String avpushBase) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress("0.0.0.0", 0), 0);
        LabPages pages = new LabPages(http, host, avpushBase == null ? null : URI.create(avpushBase));
        http.createContext("/", pages::handle);
        http.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "lab-pages");
            t.setDaemon(true);
            return t;
        }));
        http.start();
        return pages;
    }

    String origin() {
        return "http://" + host + ":" + http.getAddress().getPort();
    }

    /** What watch.js reported for {@code viewer} so far: flashes, unmeasuredFlashes, unsampled, stats, notes (arrays), firstFrame. */
    ObjectNode report(String viewer) {
        ObjectNode r = reports.computeIfAbsent(viewer, v -> newReport());
        synchronized (r) {
            return r.deepCopy();
        }
    }

    private static ObjectNode newReport() {
        ObjectNode r = JSON.createObjectNode();
        for (String list : List.of("flashes", "unmeasuredFlashes", "unsampled", "resumed", "stats", "notes")) {
            r.putArray(list);
        }
        r.putNull("firstFrame");
        return r;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/lab/report") && exchange.getRequestMethod().equals("POST")) {
                collect(query(exchange.getRequestURI(), "viewer", "viewer"), JSON.readTree(exchange.getRequestBody()));
                respond(exchange, 204, null, new byte[0]);
            } else if (path.startsWith("/lab/")) {
                byte[] body = resource("lab/" + path.substring(5));
                respond(exchange, body == null ? 404 : 200, type(path), body == null ? new byte[0] : body);
            } else if (path.equals("/player.html") || path.equals("/webrtc-player.js")) {
                Path file = path.equals("/player.html")
                        ? Path.of(System.getProperty("basedir", "."), "src/test/whep-player/player.html")
                        : playerBundle();
                boolean found = Files.isRegularFile(file);
                respond(exchange, found ? 200 : 404, type(path), found ? Files.readAllBytes(file) : new byte[0]);
            } else if (avpush != null) {
                proxy(exchange);
            } else {
                respond(exchange, 404, "text/plain", new byte[0]);
            }
        } catch (RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            respond(exchange, 502, "text/plain", ("lab proxy: " + e).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private void collect(String viewer, JsonNode body) {
        ObjectNode r = reports.computeIfAbsent(viewer, v -> newReport());
        synchronized (r) {
            for (String list : List.of("flashes", "unmeasuredFlashes", "unsampled", "resumed", "stats", "notes")) {
                ((ArrayNode) r.get(list)).addAll((ArrayNode) body.path(list));
            }
            if (r.path("firstFrame").isNull() && body.path("firstFrame").isNumber()) {
                r.set("firstFrame", body.get("firstFrame"));
            }
            r.set("frames", body.path("frames"));
            r.set("connection", body.path("connection"));
        }
    }

    private void proxy(HttpExchange exchange) throws IOException, InterruptedException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        avpush.resolve(exchange.getRequestURI().toString()))
                .timeout(Duration.ofSeconds(30))
                .method(
                        exchange.getRequestMethod(),
                        body.length == 0
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        for (String header : List.of("Content-Type", "Authorization", "Accept")) {
            String value = exchange.getRequestHeaders().getFirst(header);
            if (value != null) {
                request.header(header, value);
            }
        }
        HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        response.headers()
                .firstValue("Location")
                .ifPresent(l -> exchange.getResponseHeaders().set("Location", l));
        respond(
                exchange,
                response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(null),
                response.body());
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        if (type != null) {
            exchange.getResponseHeaders().set("Content-Type", type);
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = LabPages.class.getClassLoader().getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    private static String type(String path) {
        return TYPES.getOrDefault(path.substring(Math.max(0, path.lastIndexOf('.'))), "application/octet-stream");
    }

    private static String query(URI uri, String name, String fallback) {
        String q = uri.getRawQuery();
        if (q != null) {
            for (String part : q.split("&")) {
                if (part.startsWith(name + "=")) {
                    return java.net.URLDecoder.decode(
                            part.substring(name.length() + 1), java.nio.charset.StandardCharsets.UTF_8);
                }
            }
        }
        return fallback;
    }

    /** The pom's avpush.buildDir: the parent of the directory this class was loaded from (test-classes). */
    static Path buildDir() {
        try {
            return Path.of(LabPages.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Eyevinn's player, bundled by scripts/whep-player.sh into the build directory. */
    static Path playerBundle() {
        return buildDir().resolve("whep-player/webrtc-player.js");
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
