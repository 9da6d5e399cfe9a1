package io.avpush.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.avpush.api.ApiError;
import io.avpush.config.AvpushSettings;
import io.avpush.media.FrameConverter;
import io.avpush.playout.SessionEvents;
import io.avpush.playout.UploadedMedia;
import io.avpush.session.Outcome;
import io.avpush.session.Session;
import io.avpush.session.SessionRegistry;
import io.avpush.session.SessionReplies;
import io.avpush.session.SessionStatus;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;

/**
 * The API of one session, {@code /api/sessions/{id}/...}: its status, viewers' offers and viewer
 * tokens, uploads, the idle loop, interrupts, the WebSocket stream and the event stream. Each
 * route asks the session and answers in JSON; who may call it is decided by {@link Auth}.
 */
final class SessionRoutes extends AllDirectives {
    private final ActorSystem<?> system;
    private final ActorRef<SessionRegistry.Command> registry;
    private final AvpushSettings settings;
    private final Auth auth;
    private final FrameConverter converter;
    private final ObjectMapper mapper;
    private final Duration timeout;
    private final Materializer materializer;

    SessionRoutes(
            ActorSystem<?> system,
            ActorRef<SessionRegistry.Command> registry,
            AvpushSettings settings,
            Auth auth,
            FrameConverter converter,
            ObjectMapper mapper) {
        this.system = system;
        this.registry = registry;
        this.settings = settings;
        this.auth = auth;
        this.converter = converter;
        this.mapper = mapper;
        this.timeout = settings.http().askTimeout();
        this.materializer = Materializer.matFromSystem(system);
    }

    /** {@code /api/sessions/{id}} and below. */
    Route routes(String id) {
        return concat(
                pathEnd(() -> concat(
                        get(() -> asViewer(id, s -> completeJson(status(s)))),
                        delete(() -> auth.publisher(() -> deleteSession(id))))),
                path("offer", () -> post(() -> asViewer(id, this::offer))),
                path("viewer-token", () -> post(() -> asPublisher(id, s -> viewerToken(id)))),
                path("segments", () -> post(() -> asPublisher(id, this::upload))),
                path(
                        "idle",
                        () -> auth.publisher(() -> concat(
                                put(() -> withSession(id, this::setIdle)),
                                delete(() -> withSession(id, this::clearIdle))))),
                path("demo", () -> post(() -> asPublisher(id, this::playDemo))),
                path("interrupt", () -> post(() -> asPublisher(id, this::interrupt))),
                // The viewer token that started a viewer may end it, as WHEP's DELETE of its Location does.
                pathPrefix(
                        "viewers",
                        () -> path(viewerId -> delete(() -> asViewer(id, s -> disconnectViewer(s, id, viewerId))))),
                // Rejections handled here: a plain GET of the stream is a 400 "expected a WebSocket upgrade",
                // not the 405 of the /api/sessions preflight route that would otherwise win.
                path(
                        "stream",
                        () -> handleRejections(ErrorReplies.rejectionHandler(), () -> asPublisher(id, this::stream))),
                path("events", () -> get(() -> asViewer(id, this::events))));
    }

    private Route deleteSession(String sessionId) {
        CompletionStage<Boolean> deleted =
                AskPattern.ask(registry, r -> new SessionRegistry.Delete(sessionId, r), timeout, system.scheduler());
        return onSuccess(deleted, found -> found ? complete(StatusCodes.NO_CONTENT) : error(notFound(sessionId)));
    }

    /** {@code inner} on the session, for a caller with the API key. */
    private Route asPublisher(String sessionId, Function<ActorRef<Session.Command>, Route> inner) {
        return auth.publisher(() -> withSession(sessionId, inner));
    }

    /** {@code inner} on the session, for a caller with the API key or the session's viewer token. */
    private Route asViewer(String sessionId, Function<ActorRef<Session.Command>, Route> inner) {
        return auth.viewer(sessionId, () -> withSession(sessionId, inner));
    }

    private Route playDemo(ActorRef<Session.Command> s) {
        return completeOutcome(
                StatusCodes.ACCEPTED,
                this.<Outcome<SessionReplies.SegmentAccepted>>ask(s, r -> new Session.PlayDemo(10.0, r)));
    }

    private Route interrupt(ActorRef<Session.Command> s) {
        return completeOutcome(
                StatusCodes.OK, this.<Outcome<SessionReplies.Interrupted>>ask(s, Session.Interrupt::new));
    }

    private Route viewerToken(String sessionId) {
        ViewerTokens.Issued token = auth.viewerToken(sessionId);
        return completeJson(
                new JsonBodies.ViewerToken(token.token(), token.expiresAt().toString()));
    }

    /** WebSocket: a streamed segment's media as it is made ({@link StreamSocket}). */
    private Route stream(ActorRef<Session.Command> s) {
        return onSuccess(
                status(s),
                st -> handleWebSocketMessages(new StreamSocket(
                                s,
                                system,
                                mapper,
                                timeout,
                                settings.limits().maxQueuedDuration().plus(timeout),
                                st.width(),
                                st.height(),
                                converter)
                        .flow()));
    }

    /** Server-Sent Events: the session's events ({@link EventStream}). */
    private Route events(ActorRef<Session.Command> s) {
        return onSuccess(
                this.<SessionEvents>ask(s, Session.GetEvents::new),
                events -> complete(
                        StatusCodes.OK,
                        EventStream.of(events, mapper, materializer),
                        EventStreamMarshalling.toEventStream()));
    }

    private Route disconnectViewer(ActorRef<Session.Command> s, String sessionId, String viewerId) {
        CompletionStage<Outcome<Boolean>> done = ask(s, r -> new Session.DisconnectViewer(viewerId, r));
        return onSuccess(
                done,
                o -> o instanceof Outcome.Ok<Boolean> ok && ok.value()
                        ? complete(StatusCodes.NO_CONTENT)
                        : error(ApiError.notFound("no viewer '" + viewerId + "' in session " + sessionId)));
    }

    private Route offer(ActorRef<Session.Command> session) {
        long maxSdpBytes = settings.limits().maxSdpBytes();
        return BoundedBodies.text(
                maxSdpBytes,
                "the offer exceeds " + maxSdpBytes + " bytes (avpush.limits.max-sdp-bytes)",
                settings.limits().uploadTimeout(),
                "the JSON body",
                body -> {
                    String sdp;
                    try {
                        sdp = RequestBodies.offerSdp(mapper, body, maxSdpBytes);
                    } catch (RequestBodies.Refused e) {
                        return error(e.error());
                    }
                    CompletionStage<Outcome<SessionReplies.Answer>> answer =
                            ask(session, r -> new Session.Offer(sdp, r));
                    return onSuccess(answer, outcome -> {
                        if (outcome instanceof Outcome.Ok<SessionReplies.Answer> ok) {
                            return completeJson(new JsonBodies.AnswerReply(
                                    ok.value().sdp(), "answer", ok.value().viewerId()));
                        }
                        return error(((Outcome.Failed<?>) outcome).error());
                    });
                });
    }

    private Route upload(ActorRef<Session.Command> session) {
        return uploadForm(media -> completeOutcome(
                StatusCodes.ACCEPTED,
                this.<Outcome<SessionReplies.SegmentAccepted>>ask(session, r -> new Session.Upload(media, r))));
    }

    private Route setIdle(ActorRef<Session.Command> session) {
        return uploadForm(media -> completeOutcome(
                StatusCodes.OK,
                this.<Outcome<SessionReplies.IdleAccepted>>ask(session, r -> new Session.SetIdle(media, r))));
    }

    private Route clearIdle(ActorRef<Session.Command> session) {
        return onSuccess(this.<Done>ask(session, Session.ClearIdle::new), done -> complete(StatusCodes.NO_CONTENT));
    }

    /** {@code inner} with the upload the body's multipart form holds ({@link BoundedBodies#form}). */
    private Route uploadForm(Function<UploadedMedia, Route> inner) {
        return BoundedBodies.form(settings.limits(), timeout, materializer, system.log(), inner);
    }

    private Route withSession(String sessionId, Function<ActorRef<Session.Command>, Route> inner) {
        CompletionStage<Optional<ActorRef<Session.Command>>> found =
                AskPattern.ask(registry, r -> new SessionRegistry.Find(sessionId, r), timeout, system.scheduler());
        return onSuccess(found, s -> s.map(inner).orElseGet(() -> error(notFound(sessionId))));
    }

    static ApiError notFound(String sessionId) {
        return new ApiError(
                404,
                "session_not_found",
                "no session '" + sessionId
                        + "' on this node; it ended or never existed. Create one with POST /api/sessions");
    }

    private CompletionStage<SessionStatus> status(ActorRef<Session.Command> s) {
        return ask(s, Session.GetStatus::new);
    }

    private <T> CompletionStage<T> ask(
            ActorRef<Session.Command> session,
            org.apache.pekko.japi.function.Function<ActorRef<T>, Session.Command> msg) {
        return AskPattern.ask(session, msg::apply, timeout, system.scheduler());
    }

    private <T> Route completeJson(CompletionStage<T> value) {
        return onSuccess(value, v -> complete(StatusCodes.OK, v, Jackson.marshaller(mapper)));
    }

    private Route completeJson(Object value) {
        return complete(StatusCodes.OK, value, Jackson.marshaller(mapper));
    }

    private <T> Route completeOutcome(StatusCode okStatus, CompletionStage<Outcome<T>> outcome) {
        return onSuccess(
                outcome,
                o -> o instanceof Outcome.Ok<T> ok
                        ? complete(okStatus, ok.value(), Jackson.marshaller(mapper))
                        : error(((Outcome.Failed<T>) o).error()));
    }

    private Route error(ApiError e) {
        return complete(ErrorReplies.of(e));
    }
}
