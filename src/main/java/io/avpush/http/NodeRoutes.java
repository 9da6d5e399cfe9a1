package io.avpush.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.avpush.cluster.ClusterNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What a node says about itself, ahead of the API: liveness and readiness ({@code /health/alive},
 * {@code /health/ready}), the cluster's members ({@code GET /api/cluster}); and, in cluster mode,
 * the calls for sessions this node does not serve that the API cannot answer by asking the
 * session: a lost session is 410 and one on an unreachable node 503 at once (never a hang); a
 * segment or idle-loop upload is streamed to the serving node's HTTP API (never held here, never
 * sent as one actor message: Artery frames are 256 KiB and a 512x512 frame is 768 KiB), and so is
 * the event stream (SSE) back; a stream WebSocket is sent to the serving node (421 with its URL).
 */
public final class NodeRoutes extends AllDirectives {

    /** Set on an upload forwarded to the serving node, so it is never forwarded twice. */
    static final String FORWARDED = "X-Avpush-Forwarded";

    /** Headers the HTTP client sets itself (or that Pekko HTTP adds to a received request). */
    private static final Set<String> NOT_FORWARDED = Set.of(
            "host",
            "content-length",
            "content-type",
            "transfer-encoding",
            "connection",
            "timeout-access",
            "raw-request-uri",
            "remote-address",
            "tls-session-info");

    private final ActorSystem<?> system;
    private final Optional<ClusterNode> cluster;
    private final Auth auth;
    private final ObjectMapper mapper = new ObjectMapper();

    /** @param auth guards {@code /api/cluster} (members and addresses: the API key); health stays open */
    public NodeRoutes(ActorSystem<?> system, Optional<ClusterNode> cluster, Auth auth) {
        this.system = system;
        this.cluster = cluster;
        this.auth = auth;
    }

    /** These routes, then {@code api} for everything they leave. */
    public Route around(Route api) {
        List<Route> routes = new ArrayList<>(List.of(
                health(),
                pathPrefix(
                        "api",
                        () -> path(
                                "cluster",
                                () -> get(() -> auth.apiKey(
                                        "reading the cluster's members (GET /api/cluster)", this::clusterView))))));
        cluster.ifPresent(c -> routes.add(sessionsElsewhere(c)));
        routes.add(api);
        return concat(routes.get(0), routes.subList(1, routes.size()).toArray(Route[]::new));
    }

    private Route health() {
        return pathPrefix(
                "health",
                () -> concat(
                        path("alive", () -> get(() -> json(200, Map.of("status", "alive")))),
                        path(
                                "ready",
                                () -> get(() -> cluster.<Route>map(
                                                c -> c.ready()
                                                        ? json(200, Map.of("status", "ready"))
                                                        : error(
                                                                503,
                                                                "not_ready",
                                                                "this node is "
                                                                        + c.selfStatus()
                                                                                .toLowerCase(Locale.ROOT)
                                                                        + " in the cluster, not up; it takes API calls once it has joined"))
                                        .orElseGet(() -> json(200, Map.of("status", "ready")))))));
    }

    private Route clusterView() {
        return cluster.<Route>map(c -> onSuccess(c.view(), v -> json(200, v)))
                .orElseGet(() -> json(200, Map.of("clustered", false, "members", List.of())));
    }

    private Route sessionsElsewhere(ClusterNode c) {
        return concat(
                pathPrefix(
                        "api",
                        () -> pathPrefix(
                                "sessions",
                                () -> pathPrefix(id -> concat(
                                        path("segments", () -> post(() -> forwardUpload(c, id))),
                                        // The idle loop is an upload like a segment; the event stream is a long
                                        // response whose
                                        // events only the serving node has: both pass through as HTTP.
                                        path("idle", () -> put(() -> forwardUpload(c, id))),
                                        path("events", () -> get(() -> forwardUpload(c, id))),
                                        path("stream", () -> streamElsewhere(c, id)),
                                        lostOrUnreachable(c, id))))),
                pathPrefix("whep", () -> pathPrefix(id -> lostOrUnreachable(c, id))));
    }

    private Route lostOrUnreachable(ClusterNode c, String sessionId) {
        return switch (c.whereIs(sessionId)) {
            case GONE ->
                error(
                        410,
                        "session_lost",
                        "session '" + sessionId + "' was served by a node that has left the "
                                + "cluster (it crashed or was stopped); its stream is lost. Create a new session with POST /api/sessions");
            case UNREACHABLE ->
                error(
                        503,
                        "node_unreachable",
                        "the node serving session '" + sessionId
                                + "' is unreachable; if it does not come back within seconds the cluster removes it and the session is lost");
            default -> reject();
        };
    }

    private Route forwardUpload(ClusterNode c, String sessionId) {
        if (c.whereIs(sessionId) != ClusterNode.Where.ELSEWHERE) {
            return lostOrUnreachable(c, sessionId);
        }
        return extractRequest(request -> {
            if (request.getHeader(FORWARDED).isPresent()) {
                return error(
                        503,
                        "unavailable",
                        "session '" + sessionId + "' is not on the node this upload was forwarded to; "
                                + "the cluster's membership is changing, try again");
            }
            return onSuccess(
                    c.httpUrlOf(sessionId),
                    url -> url.<Route>map(u -> completeWithFuture(forward(request, u, c.selfTag())))
                            .orElseGet(() -> error(
                                    503,
                                    "node_unreachable",
                                    "the node serving session '" + sessionId
                                            + "' did not say where its HTTP API is; try again")));
        });
    }

    /**
     * A streamed segment's WebSocket carries media at real-time rate in messages up to a frame
     * (768 KiB at 512x512), so it is not relayed between nodes: the client is told (421, with the
     * URL) to open it on the serving node.
     */
    private Route streamElsewhere(ClusterNode c, String sessionId) {
        if (c.whereIs(sessionId) != ClusterNode.Where.ELSEWHERE) {
            return lostOrUnreachable(c, sessionId);
        }
        return onSuccess(
                c.httpUrlOf(sessionId),
                url -> url.<Route>map(u -> {
                            String ws = u.replaceFirst("^http", "ws") + "/api/sessions/" + sessionId + "/stream";
                            return complete(ErrorReplies.json(
                                            StatusCodes.MISDIRECTED_REQUEST,
                                            "misdirected_request",
                                            "session '" + sessionId
                                                    + "' is served by another node; open its stream WebSocket there: "
                                                    + ws)
                                    .addHeader(RawHeader.create("Location", ws)));
                        })
                        .orElseGet(() -> error(
                                503,
                                "node_unreachable",
                                "the node serving session '" + sessionId
                                        + "' did not say where its HTTP API is; try again")));
    }

    /** The request, body streamed as it arrives, to the same path on {@code baseUrl}; its reply streamed back. */
    private CompletionStage<HttpResponse> forward(HttpRequest request, String baseUrl, String selfTag) {
        List<HttpHeader> headers = new ArrayList<>();
        for (HttpHeader h : request.getHeaders()) {
            if (!NOT_FORWARDED.contains(h.lowercaseName())) {
                headers.add(h);
            }
        }
        headers.add(RawHeader.create(FORWARDED, selfTag));
        String query = request.getUri().rawQueryString().map(q -> "?" + q).orElse("");
        HttpRequest out = HttpRequest.create(baseUrl + request.getUri().path() + query)
                .withMethod(request.method())
                .withEntity(request.entity())
                .addHeaders(headers);
        return Http.get(system)
                .singleRequest(out)
                .exceptionally(failure -> ErrorReplies.json(
                        StatusCodes.BAD_GATEWAY,
                        "node_unreachable",
                        "the request could not be passed to the node serving this session (" + baseUrl + "): "
                                + failure.getMessage()));
    }

    private Route json(int status, Object value) {
        return complete(StatusCodes.get(status), value, Jackson.marshaller(mapper));
    }

    private Route error(int status, String code, String message) {
        return complete(ErrorReplies.json(StatusCodes.get(status), code, message));
    }
}
