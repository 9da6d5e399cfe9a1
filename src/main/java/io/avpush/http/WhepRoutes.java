package io.avpush.http;

import io.avpush.api.ApiError;
import io.avpush.config.AvpushSettings;
import io.avpush.config.WebRtcSettings;
import io.avpush.session.Outcome;
import io.avpush.session.Session;
import io.avpush.session.SessionRegistry;
import io.avpush.session.SessionReplies;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * WHEP (draft-ietf-wish-whep-03, which follows WHIP, RFC 9725), so a standard WHEP player can
 * watch avpush with only a URL. {@code POST /whep} makes a session for that player alone;
 * {@code POST /whep/{sessionId}} joins a session made with the JSON API. Each player gets a
 * viewer resource, {@code /whep/{sessionId}/{viewerId}}, which it ends with DELETE.
 *
 * <p>Answers carry every server candidate and avpush has no ICE restart, so PATCH (trickle ICE,
 * restart) is not supported on any resource.
 */
public final class WhepRoutes extends AllDirectives {

    private static final ContentType SDP = ContentTypes.create(MediaTypes.applicationBinary("sdp", false));
    private static final String TRICKLE = "application/trickle-ice-sdpfrag";
    private static final String ENDPOINT_METHODS = "GET, POST, OPTIONS";
    private static final String RESOURCE_METHODS = "GET, DELETE, OPTIONS";

    private final ActorSystem<?> system;
    private final ActorRef<SessionRegistry.Command> registry;
    private final Duration timeout;
    private final long maxSdpBytes;
    private final java.time.Duration bodyTimeout;
    private final WebRtcSettings webrtc;
    private final Auth auth;
    /** Sessions made by {@code POST /whep}: session id to the viewer whose DELETE ends the session. */
    private final Map<String, String> ownedSessions = new ConcurrentHashMap<>();
    /** Viewer resources handed out, as "sessionId/viewerId"; what GET and PATCH can find. */
    private final Set<String> viewers = ConcurrentHashMap.newKeySet();

    /**
     * {@code auth}: POST /whep makes a session, so it needs the API key; everything on
     * /whep/{sessionId} takes that session's viewer token too. CORS headers come from {@link Auth#cors}.
     */
    public WhepRoutes(
            ActorSystem<?> system, ActorRef<SessionRegistry.Command> registry, AvpushSettings settings, Auth auth) {
        this.system = system;
        this.registry = registry;
        this.timeout = settings.http().askTimeout();
        this.maxSdpBytes = settings.limits().maxSdpBytes();
        this.bodyTimeout = settings.limits().uploadTimeout();
        this.webrtc = settings.webrtc();
        this.auth = auth;
    }

    public Route routes() {
        return pathPrefix(
                "whep",
                () -> concat(
                        pathEnd(() -> endpoint(
                                auth::publisher, () -> complete(StatusCodes.NO_CONTENT), this::createAndAnswer)),
                        path(sessionId -> endpoint(
                                inner -> auth.viewer(sessionId, inner),
                                () -> withSession(sessionId, s -> complete(StatusCodes.NO_CONTENT)),
                                offer -> withSession(sessionId, s -> answer(sessionId, s, offer, false)))),
                        path(PathMatchers.segment().slash(PathMatchers.segment()), this::resource)));
    }

    private Route endpoint(
            Function<Supplier<Route>, Route> allowed, Supplier<Route> onGet, Function<String, Route> onOffer) {
        return concat(
                options(() -> preflight(ENDPOINT_METHODS, true)),
                post(() -> allowed.apply(() -> withOffer(onOffer))),
                // RFC 9725 §4.1, WHEP-03 §4.1: endpoints and sessions MUST answer GET with 2xx, no content.
                get(() -> allowed.apply(onGet)),
                notAllowed(ENDPOINT_METHODS));
    }

    private Route resource(String sessionId, String viewerId) {
        return concat(
                options(() -> preflight(RESOURCE_METHODS, false)),
                delete(() -> auth.viewer(sessionId, () -> deleteViewer(sessionId, viewerId))),
                get(() -> auth.viewer(
                        sessionId, () -> withViewer(sessionId, viewerId, () -> complete(StatusCodes.NO_CONTENT)))),
                patch(() -> auth.viewer(sessionId, () -> withViewer(sessionId, viewerId, this::refusePatch))),
                notAllowed(RESOURCE_METHODS));
    }

    /**
     * RFC 9725 §4.2 / WHEP-03 §4.2: the offer is the body, typed application/sdp; any other type or
     * a malformed offer MUST get a 4xx.
     */
    private Route withOffer(Function<String, Route> inner) {
        return extractRequestEntity(entity -> {
            MediaType type = entity.getContentType().mediaType();
            if (!is(type, "application/sdp")) {
                return error(
                        415,
                        "unsupported_media_type",
                        "the request's Content-Type is '" + type.value()
                                + "'; a WHEP offer is sent as Content-Type: application/sdp with the SDP offer as the body");
            }
            return BoundedBodies.text(
                    maxSdpBytes,
                    "the offer exceeds " + maxSdpBytes + " bytes (avpush.limits.max-sdp-bytes)",
                    bodyTimeout,
                    "the SDP offer",
                    body -> {
                        if (body.isBlank()) {
                            return error(
                                    400, "bad_request", "the body is empty; send the SDP offer (v=0...) as the body");
                        }
                        if (body.length() > maxSdpBytes) {
                            return error(ApiError.tooLarge("the offer is " + body.length() + " bytes; the limit is "
                                    + maxSdpBytes + " (avpush.limits.max-sdp-bytes)"));
                        }
                        return inner.apply(body);
                    });
        });
    }

    private Route createAndAnswer(String offer) {
        CompletionStage<Outcome<SessionRegistry.Created>> created = AskPattern.ask(
                registry, r -> new SessionRegistry.Create(null, null, null, r), timeout, system.scheduler());
        return onSuccess(created, outcome -> {
            if (outcome instanceof Outcome.Failed<SessionRegistry.Created> failed) {
                return error(failed.error());
            }
            String sessionId =
                    ((Outcome.Ok<SessionRegistry.Created>) outcome).value().sessionId();
            return withSession(sessionId, s -> answer(sessionId, s, offer, true));
        });
    }

    /** 201 with the answer, Location of the viewer resource, ETag and ICE servers (RFC 9725 §4.2, §4.6). */
    private Route answer(String sessionId, ActorRef<Session.Command> session, String offer, boolean ownsSession) {
        CompletionStage<Outcome<SessionReplies.Answer>> answer =
                AskPattern.ask(session, r -> new Session.Offer(offer, r), timeout, system.scheduler());
        if (ownsSession) {
            // A session made for this player alone must not outlive a failed offer.
            answer.whenComplete((o, failure) -> {
                if (failure != null || o instanceof Outcome.Failed) {
                    registry.tell(new SessionRegistry.Delete(sessionId, system.ignoreRef()));
                }
            });
        }
        return onSuccess(answer, outcome -> {
            if (outcome instanceof Outcome.Failed<SessionReplies.Answer> failed) {
                return error(failed.error());
            }
            SessionReplies.Answer a = ((Outcome.Ok<SessionReplies.Answer>) outcome).value();
            viewers.add(sessionId + "/" + a.viewerId());
            if (ownsSession) {
                ownedSessions.put(sessionId, a.viewerId());
            }
            List<HttpHeader> headers = new ArrayList<>();
            headers.add(RawHeader.create("Location", "/whep/" + sessionId + "/" + a.viewerId()));
            headers.add(RawHeader.create("ETag", "\"" + a.viewerId() + "\""));
            headers.addAll(IceServerLinks.of(webrtc.iceServersAt(java.time.Instant.now())));
            return complete(HttpResponse.create()
                    .withStatus(StatusCodes.CREATED)
                    .withEntity(HttpEntities.create(SDP, a.sdp().getBytes(StandardCharsets.UTF_8)))
                    .addHeaders(headers));
        });
    }

    /** 200 and the viewer ends (RFC 9725 §3 Figure 1); a session made by POST /whep ends with it. */
    private Route deleteViewer(String sessionId, String viewerId) {
        return withSession(sessionId, s -> {
            CompletionStage<Outcome<Boolean>> done =
                    AskPattern.ask(s, r -> new Session.DisconnectViewer(viewerId, r), timeout, system.scheduler());
            return onSuccess(done, outcome -> {
                viewers.remove(sessionId + "/" + viewerId);
                if (!(outcome instanceof Outcome.Ok<Boolean> ok && ok.value())) {
                    return error(ApiError.notFound("no viewer '" + viewerId + "' in session " + sessionId
                            + "; it was deleted already or never existed"));
                }
                if (ownedSessions.remove(sessionId, viewerId)) {
                    CompletionStage<Boolean> deleted = AskPattern.ask(
                            registry, r -> new SessionRegistry.Delete(sessionId, r), timeout, system.scheduler());
                    return onSuccess(deleted, d -> complete(StatusCodes.OK));
                }
                return complete(StatusCodes.OK);
            });
        });
    }

    /**
     * RFC 9725 §4.3.1 / WHEP-03: PATCH carries application/trickle-ice-sdpfrag, another type MUST
     * get a 4xx (415 here). Neither text names a status for a session supporting neither trickle
     * ICE nor restart (422 is for one but not both); 405 with Allow is RFC 9110 §15.5.6's answer.
     */
    private Route refusePatch() {
        return extractRequestEntity(entity -> {
            MediaType type = entity.getContentType().mediaType();
            if (!is(type, TRICKLE)) {
                return error(
                        415,
                        "unsupported_media_type",
                        "the request's Content-Type is '" + type.value() + "'; a WHEP PATCH carries " + TRICKLE
                                + " (and avpush does not support PATCH at all)");
            }
            return complete(ErrorReplies.json(
                            StatusCodes.METHOD_NOT_ALLOWED,
                            "method_not_allowed",
                            "avpush answers with every candidate and has no ICE restart, so it takes no trickle ICE "
                                    + "or restart PATCH; the resource allows " + RESOURCE_METHODS)
                    .addHeader(RawHeader.create("Allow", RESOURCE_METHODS)));
        });
    }

    /**
     * CORS preflight (RFC 9725 §4.2 / WHEP-03 §4.3: endpoints MUST support OPTIONS; the "200 OK"
     * SHOULD carry Accept-Post: application/sdp).
     */
    private Route preflight(String allow, boolean endpoint) {
        List<HttpHeader> headers = new ArrayList<>(List.of(RawHeader.create("Allow", allow)));
        if (endpoint) {
            headers.add(RawHeader.create("Accept-Post", "application/sdp"));
        }
        return auth.preflight("POST, DELETE, OPTIONS, PATCH", headers);
    }

    private Route notAllowed(String allow) {
        return extractMethod(method -> complete(ErrorReplies.json(
                        StatusCodes.METHOD_NOT_ALLOWED,
                        "method_not_allowed",
                        method.name() + " is not supported on this WHEP URL; it allows " + allow)
                .addHeader(RawHeader.create("Allow", allow))));
    }

    private Route withViewer(String sessionId, String viewerId, Supplier<Route> inner) {
        if (!viewers.contains(sessionId + "/" + viewerId)) {
            return error(ApiError.notFound("no WHEP viewer '" + viewerId + "' in session " + sessionId
                    + "; it was deleted already or never existed. Start one with POST /whep"));
        }
        return withSession(sessionId, s -> inner.get());
    }

    private Route withSession(String sessionId, Function<ActorRef<Session.Command>, Route> inner) {
        CompletionStage<Optional<ActorRef<Session.Command>>> found =
                AskPattern.ask(registry, r -> new SessionRegistry.Find(sessionId, r), timeout, system.scheduler());
        return onSuccess(
                found,
                s -> s.map(inner).orElseGet(() -> {
                    ownedSessions.remove(sessionId);
                    viewers.removeIf(key -> key.startsWith(sessionId + "/"));
                    return error(new ApiError(
                            404,
                            "session_not_found",
                            "no session '" + sessionId
                                    + "' on this node; it ended or never existed. POST /whep starts a new one"));
                }));
    }

    private Route error(ApiError e) {
        return complete(ErrorReplies.of(e));
    }

    private Route error(int status, String code, String message) {
        return error(new ApiError(status, code, message));
    }

    private static boolean is(MediaType type, String expected) {
        return (type.mainType() + "/" + type.subType()).equalsIgnoreCase(expected);
    }
}
