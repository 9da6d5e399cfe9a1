package io.avpush.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.avpush.api.ApiError;
import io.avpush.config.AvpushSettings;
import io.avpush.media.FrameConverter;
import io.avpush.metrics.Metrics;
import io.avpush.session.Outcome;
import io.avpush.session.SessionRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;

/**
 * The public HTTP API (see DESIGN.md), the demo page and {@code /metrics}. Routes only parse, ask
 * and compose; every error a client gets is JSON with a message a person can act on. Who may call
 * a route is decided by wrapping it in {@link Auth#publisher} or {@link Auth#viewer}.
 */
public final class ApiRoutes extends AllDirectives {

    private final ActorSystem<?> system;
    private final ActorRef<SessionRegistry.Command> registry;
    private final AvpushSettings settings;
    private final Duration timeout;
    private final Materializer materializer;
    private final WhepRoutes whep;
    private final Auth auth;
    private final SessionRoutes sessions;
    private static final String API_METHODS = "GET, POST, DELETE, OPTIONS";
    /** Largest body of POST /api/sessions. */
    private static final long MAX_JSON_BYTES = 64 * 1024;

    /**
     * Reads request bodies and stream control messages strictly: trailing text after the JSON value,
     * a field given twice or a fraction where a whole number belongs is refused, not guessed at.
     */
    private final ObjectMapper mapper = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
            .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false)
            .configure(JsonParser.Feature.STRICT_DUPLICATE_DETECTION, true);

    /** @param converter converts streamed frames to I420 (the node's: libyuv on the WebRTC transport) */
    public ApiRoutes(
            ActorSystem<?> system,
            ActorRef<SessionRegistry.Command> registry,
            AvpushSettings settings,
            FrameConverter converter) {
        this.system = system;
        this.registry = registry;
        this.settings = settings;
        this.timeout = settings.http().askTimeout();
        this.materializer = Materializer.matFromSystem(system);
        this.auth = new Auth(settings.auth(), settings.http().corsOrigins(), Clock.systemUTC());
        this.whep = new WhepRoutes(system, registry, settings, auth);
        this.sessions = new SessionRoutes(system, registry, settings, auth, converter, mapper);
        if (auth.devMode()) {
            system.log()
                    .warn("DEVELOPMENT MODE: no API key is configured (avpush.auth.api-keys, env AVPUSH_API_KEY), "
                            + "so anyone who reaches this port can create, publish into, view and delete every session; "
                            + "configure a key before exposing the node");
        }
    }

    /** Who may call what; {@link NodeRoutes} guards {@code GET /api/cluster} with it too. */
    public Auth auth() {
        return auth;
    }

    public Route routes() {
        return auth.cors(() -> withRequestTimeoutResponse(
                ErrorReplies::requestTimedOut,
                () -> handleExceptions(
                        ErrorReplies.exceptionHandler(settings.limits().maxUploadBytes(), timeout, system.log()),
                        () -> handleRejections(
                                ErrorReplies.rejectionHandler(),
                                () -> concat(
                                        pathSingleSlash(() -> get(() -> getFromResource("web/index.html"))),
                                        pathPrefix("static", () -> getFromResourceDirectory("web")),
                                        path("metrics", () -> get(() -> auth.metrics(this::metrics))),
                                        whep.routes(),
                                        pathPrefix("api", () -> pathPrefix("sessions", this::sessionsRoutes)))))));
    }

    /** {@code /api/sessions} and below. */
    private Route sessionsRoutes() {
        return concat(
                options(() -> auth.preflight(API_METHODS, List.of())),
                pathEnd(() -> concat(
                        post(() -> auth.publisher(this::createSession)),
                        get(() -> auth.publisher(this::listSessions)))),
                pathPrefix(sessions::routes));
    }

    private Route metrics() {
        return complete(HttpResponse.create()
                .withEntity(HttpEntities.create(ContentTypes.parse(Metrics.contentType()), Metrics.scrape())));
    }

    private Route listSessions() {
        CompletionStage<java.util.List<String>> ids =
                AskPattern.ask(registry, SessionRegistry.ListSessions::new, timeout, system.scheduler());
        return onSuccess(ids, list -> complete(StatusCodes.OK, Map.of("sessions", list), Jackson.marshaller(mapper)));
    }

    private Route createSession() {
        return BoundedBodies.text(
                MAX_JSON_BYTES,
                "a session request is at most " + MAX_JSON_BYTES + " bytes of JSON like "
                        + RequestBodies.SESSION_EXAMPLE,
                settings.limits().uploadTimeout(),
                "the JSON body",
                body -> {
                    JsonBodies.CreateSession req;
                    try {
                        req = RequestBodies.createSession(mapper, body);
                    } catch (RequestBodies.Refused e) {
                        return error(e.error());
                    }
                    CompletionStage<Outcome<SessionRegistry.Created>> created = AskPattern.ask(
                            registry,
                            r -> new SessionRegistry.Create(req.fps(), req.width(), req.height(), r),
                            timeout,
                            system.scheduler());
                    return onSuccess(created, outcome -> {
                        if (outcome instanceof Outcome.Ok<SessionRegistry.Created> ok) {
                            return complete(
                                    StatusCodes.CREATED, sessionCreated(ok.value()), Jackson.marshaller(mapper));
                        }
                        return error(((Outcome.Failed<SessionRegistry.Created>) outcome).error());
                    });
                });
    }

    /** The reply to POST /api/sessions: where to offer and upload, ICE servers and a viewer token. */
    private JsonBodies.SessionCreated sessionCreated(SessionRegistry.Created c) {
        String base = "/api/sessions/" + c.sessionId();
        ViewerTokens.Issued token = auth.viewerToken(c.sessionId());
        return new JsonBodies.SessionCreated(
                c.sessionId(),
                c.fps(),
                c.width(),
                c.height(),
                base + "/offer",
                base + "/segments",
                settings.webrtc().iceServersAt(java.time.Instant.now()),
                token.token(),
                token.expiresAt().toString());
    }

    private Route error(ApiError e) {
        return complete(ErrorReplies.of(e));
    }
}
