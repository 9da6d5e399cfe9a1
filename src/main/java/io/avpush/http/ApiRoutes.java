package io.avpush.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.avpush.config.AvpushSettings;
import io.avpush.media.FrameConverter;
import io.avpush.metrics.Metrics;
import io.avpush.api.ApiError;
import io.avpush.session.Outcome;
import io.avpush.session.SessionReplies;
import io.avpush.session.Session;
import io.avpush.session.SessionRegistry;
import io.avpush.playout.UploadedMedia;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;

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
  private final FrameConverter converter;
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
      ActorSystem<?> system, ActorRef<SessionRegistry.Command> registry, AvpushSettings settings, FrameConverter converter) {
    this.system = system;
    this.converter = converter;
    this.registry = registry;
    this.settings = settings;
    this.timeout = settings.http().askTimeout();
    this.materializer = Materializer.matFromSystem(system);
    this.auth = new Auth(settings.auth(), settings.http().corsOrigins(), Clock.systemUTC());
    this.whep = new WhepRoutes(system, registry, settings, auth);
    if (auth.devMode()) {
      system.log().warn("DEVELOPMENT MODE: no API key is configured (avpush.auth.api-keys, env AVPUSH_API_KEY), "
          + "so anyone who reaches this port can create, publish into, view and delete every session; "
          + "configure a key before exposing the node");
    }
  }

  /** Who may call what; {@link NodeRoutes} guards {@code GET /api/cluster} with it too. */
  public Auth auth() {
    return auth;
  }

  public Route routes() {
    return auth.cors(() -> withRequestTimeoutResponse(ErrorReplies::requestTimedOut, () ->
        handleExceptions(ErrorReplies.exceptionHandler(settings.limits().maxUploadBytes(), timeout, system.log()), () -> handleRejections(ErrorReplies.rejectionHandler(), () -> concat(
        pathSingleSlash(() -> get(() -> getFromResource("web/index.html"))),
        pathPrefix("static", () -> getFromResourceDirectory("web")),
        path("metrics", () -> get(() -> auth.metrics(this::metrics))),
        whep.routes(),
        pathPrefix("api", () -> pathPrefix("sessions", () -> concat(
            options(() -> auth.preflight(API_METHODS, List.of())),
            pathEnd(() -> concat(post(() -> auth.publisher(this::createSession)), get(() -> auth.publisher(this::listSessions)))),
            pathPrefix(this::sessionRoutes)))))))));
  }

  private Route sessionRoutes(String sessionId) {
    return concat(
        pathEnd(() -> concat(
            get(() -> auth.viewer(sessionId, () -> withSession(sessionId, s -> completeJson(status(s))))),
            delete(() -> auth.publisher(() -> deleteSession(sessionId))))),
        path("offer", () -> post(() -> auth.viewer(sessionId, () -> withSession(sessionId, this::offer)))),
        path("viewer-token", () -> post(() -> auth.publisher(() -> withSession(sessionId, s -> viewerToken(sessionId))))),
        path("segments", () -> post(() -> auth.publisher(() -> withSession(sessionId, this::upload)))),
        path("idle", () -> auth.publisher(() -> concat(
            put(() -> withSession(sessionId, this::setIdle)),
            delete(() -> withSession(sessionId, this::clearIdle))))),
        path("demo", () -> post(() -> auth.publisher(() -> withSession(sessionId, s ->
            completeOutcome(StatusCodes.ACCEPTED, this.<Outcome<SessionReplies.SegmentAccepted>>ask(s, r -> new Session.PlayDemo(10.0, r))))))),
        path("interrupt", () -> post(() -> auth.publisher(() -> withSession(sessionId, s ->
            completeOutcome(StatusCodes.OK, this.<Outcome<SessionReplies.Interrupted>>ask(s, Session.Interrupt::new)))))),
        // The viewer token that started a viewer may end it, as WHEP's DELETE of its Location does.
        pathPrefix("viewers", () -> path(viewerId -> delete(() -> auth.viewer(sessionId, () -> withSession(sessionId, s ->
            disconnectViewer(s, sessionId, viewerId)))))),
        // Rejections handled here: a plain GET of the stream is a 400 "expected a WebSocket upgrade",
        // not the 405 of the /api/sessions preflight route that would otherwise win.
        path("stream", () -> handleRejections(ErrorReplies.rejectionHandler(), () -> auth.publisher(() -> withSession(sessionId, this::stream)))),
        path("events", () -> get(() -> auth.viewer(sessionId, () -> withSession(sessionId, this::events)))));
  }

  private Route metrics() {
    return complete(HttpResponse.create().withEntity(
        HttpEntities.create(ContentTypes.parse(Metrics.contentType()), Metrics.scrape())));
  }

  private Route viewerToken(String sessionId) {
    ViewerTokens.Issued token = auth.viewerToken(sessionId);
    return completeJson(new JsonBodies.ViewerToken(token.token(), token.expiresAt().toString()));
  }

  /** WebSocket: a streamed segment's media as it is made ({@link StreamSocket}). */
  private Route stream(ActorRef<Session.Command> s) {
    return onSuccess(status(s), st -> handleWebSocketMessages(new StreamSocket(s, system, mapper, timeout,
        settings.limits().maxQueuedDuration().plus(timeout), st.width(), st.height(), converter).flow()));
  }

  /** Server-Sent Events: the session's events ({@link EventStream}). */
  private Route events(ActorRef<Session.Command> s) {
    return onSuccess(this.<io.avpush.playout.SessionEvents>ask(s, Session.GetEvents::new), events ->
        complete(StatusCodes.OK, EventStream.of(events, mapper, materializer),
            org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling.toEventStream()));
  }

  private Route listSessions() {
    CompletionStage<java.util.List<String>> ids =
        AskPattern.ask(registry, SessionRegistry.ListSessions::new, timeout, system.scheduler());
    return onSuccess(ids, list -> complete(StatusCodes.OK, Map.of("sessions", list), Jackson.marshaller(mapper)));
  }

  private Route deleteSession(String sessionId) {
    CompletionStage<Boolean> deleted =
        AskPattern.ask(registry, r -> new SessionRegistry.Delete(sessionId, r), timeout, system.scheduler());
    return onSuccess(deleted, found -> found ? complete(StatusCodes.NO_CONTENT) : error(notFound(sessionId)));
  }

  private Route disconnectViewer(ActorRef<Session.Command> s, String sessionId, String viewerId) {
    CompletionStage<Outcome<Boolean>> done = ask(s, r -> new Session.DisconnectViewer(viewerId, r));
    return onSuccess(done, o -> o instanceof Outcome.Ok<Boolean> ok && ok.value()
        ? complete(StatusCodes.NO_CONTENT)
        : error(ApiError.notFound("no viewer '" + viewerId + "' in session " + sessionId)));
  }

  private Route createSession() {
    return BoundedBodies.text(MAX_JSON_BYTES, "a session request is at most " + MAX_JSON_BYTES
        + " bytes of JSON like {\"fps\": 30, \"width\": 512, \"height\": 512}", settings.limits().uploadTimeout(), "the JSON body", body -> {
      JsonBodies.CreateSession req;
      try {
        req = body.isBlank() ? new JsonBodies.CreateSession(null, null, null) : mapper.readValue(body, JsonBodies.CreateSession.class);
        if (req == null) {
          throw new JsonProcessingException("the body is JSON null, not an object") {};
        }
      } catch (JsonProcessingException e) {
        return error(ApiError.badRequest("body is not a session request: " + e.getOriginalMessage()
            + " (expected JSON like {\"fps\": 30, \"width\": 512, \"height\": 512}, all optional)"));
      }
      CompletionStage<Outcome<SessionRegistry.Created>> created = AskPattern.ask(
          registry, r -> new SessionRegistry.Create(req.fps(), req.width(), req.height(), r), timeout, system.scheduler());
      return onSuccess(created, outcome -> {
        if (outcome instanceof Outcome.Ok<SessionRegistry.Created> ok) {
          SessionRegistry.Created c = ok.value();
          String base = "/api/sessions/" + c.sessionId();
          ViewerTokens.Issued token = auth.viewerToken(c.sessionId());
          return complete(StatusCodes.CREATED, new JsonBodies.SessionCreated(
              c.sessionId(), c.fps(), c.width(), c.height(), base + "/offer", base + "/segments",
              settings.webrtc().iceServersAt(java.time.Instant.now()), token.token(), token.expiresAt().toString()),
              Jackson.marshaller(mapper));
        }
        return error(((Outcome.Failed<SessionRegistry.Created>) outcome).error());
      });
    });
  }

  private Route offer(ActorRef<Session.Command> session) {
    return BoundedBodies.text(settings.limits().maxSdpBytes(), "the offer exceeds " + settings.limits().maxSdpBytes()
        + " bytes (avpush.limits.max-sdp-bytes)", settings.limits().uploadTimeout(), "the JSON body", body -> {
      if (body.length() > settings.limits().maxSdpBytes()) {
        return error(ApiError.tooLarge("the offer is " + body.length() + " bytes; the limit is "
            + settings.limits().maxSdpBytes() + " (avpush.limits.max-sdp-bytes)"));
      }
      JsonBodies.Sdp sdp;
      try {
        sdp = mapper.readValue(body, JsonBodies.Sdp.class);
        if (sdp == null) {
          throw new JsonProcessingException("the body is JSON null, not an object") {};
        }
      } catch (JsonProcessingException e) {
        return error(ApiError.badRequest("body is not an SDP offer: " + e.getOriginalMessage()
            + " (expected JSON {\"sdp\": \"v=0...\", \"type\": \"offer\"})"));
      }
      if (sdp.sdp() == null || sdp.sdp().isBlank()) {
        return error(ApiError.badRequest("field 'sdp' is missing or empty; send {\"sdp\": \"v=0...\", \"type\": \"offer\"}"));
      }
      if (sdp.type() != null && !"offer".equals(sdp.type())) {
        return error(ApiError.badRequest("field 'type' is '" + sdp.type() + "'; the server only answers offers"));
      }
      CompletionStage<Outcome<SessionReplies.Answer>> answer = ask(session, r -> new Session.Offer(sdp.sdp(), r));
      return onSuccess(answer, outcome -> {
        if (outcome instanceof Outcome.Ok<SessionReplies.Answer> ok) {
          return completeJson(new JsonBodies.AnswerReply(ok.value().sdp(), "answer", ok.value().viewerId()));
        }
        return error(((Outcome.Failed<?>) outcome).error());
      });
    });
  }

  /**
   * The body is parsed as it streams in: parts are refused by name before their bytes are read,
   * the whole body is bounded by max-upload-bytes (413 as soon as its declared or received size
   * passes it) and must arrive within upload-timeout (408), so a stalled client holds nothing for long.
   */
  private Route upload(ActorRef<Session.Command> session) {
    return uploadForm(media -> completeOutcome(StatusCodes.ACCEPTED,
        this.<Outcome<SessionReplies.SegmentAccepted>>ask(session, r -> new Session.Upload(media, r))));
  }

  private Route setIdle(ActorRef<Session.Command> session) {
    return uploadForm(media -> completeOutcome(StatusCodes.OK,
        this.<Outcome<SessionReplies.IdleAccepted>>ask(session, r -> new Session.SetIdle(media, r))));
  }

  private Route clearIdle(ActorRef<Session.Command> session) {
    return onSuccess(this.<org.apache.pekko.Done>ask(session, Session.ClearIdle::new), done -> complete(StatusCodes.NO_CONTENT));
  }

  /**
   * Reads a segment's multipart form (see {@link UploadForm}) within the upload limit and
   * {@code avpush.limits.upload-timeout}, and hands the media on. Whatever the form's fault, the
   * client gets a 4xx that says it ({@link UploadForm#refusal}).
   */
  private Route uploadForm(Function<UploadedMedia, Route> inner) {
    Duration uploadTimeout = settings.limits().uploadTimeout();
    return withRequestTimeout(uploadTimeout.plus(timeout).plus(timeout), () ->
        withSizeLimit(settings.limits().maxUploadBytes(), () -> extractRequestEntity(entity ->
            onComplete(UploadForm.read(entity, uploadTimeout, materializer), parts -> {
              if (parts.isFailure()) {
                Throwable failure = parts.failed().get();
                return UploadForm.refusal(failure, entity, settings.limits().maxUploadBytes(), uploadTimeout)
                    .map(refused -> {
                      if (refused.status() == 408) {
                        system.log().info("upload abandoned: its body did not arrive within {}", uploadTimeout);
                      }
                      return error(refused);
                    })
                    .orElseGet(() -> failWith(io.avpush.api.Failures.cause(failure)));
              }
              Metrics.UPLOAD_BYTES.inc(parts.get().stream().mapToLong(UploadForm.Received::size).sum());
              UploadedMedia media;
              try {
                media = UploadParts.toUpload(parts.get());
              } catch (IllegalArgumentException e) {
                return error(ApiError.badRequest(e.getMessage()));
              }
              return inner.apply(media);
            }))));
  }

  private Route withSession(String sessionId, Function<ActorRef<Session.Command>, Route> inner) {
    CompletionStage<Optional<ActorRef<Session.Command>>> found =
        AskPattern.ask(registry, r -> new SessionRegistry.Find(sessionId, r), timeout, system.scheduler());
    return onSuccess(found, s -> s.map(inner).orElseGet(() -> error(notFound(sessionId))));
  }

  private static ApiError notFound(String sessionId) {
    return new ApiError(404, "session_not_found",
        "no session '" + sessionId + "' on this node; it ended or never existed. Create one with POST /api/sessions");
  }

  private CompletionStage<io.avpush.session.SessionStatus> status(ActorRef<Session.Command> s) {
    return ask(s, Session.GetStatus::new);
  }

  private <T> CompletionStage<T> ask(
      ActorRef<Session.Command> session, org.apache.pekko.japi.function.Function<ActorRef<T>, Session.Command> msg) {
    return AskPattern.ask(session, msg::apply, timeout, system.scheduler());
  }

  private <T> Route completeJson(CompletionStage<T> value) {
    return onSuccess(value, v -> complete(StatusCodes.OK, v, Jackson.marshaller(mapper)));
  }

  private Route completeJson(Object value) {
    return complete(StatusCodes.OK, value, Jackson.marshaller(mapper));
  }

  private <T> Route completeOutcome(StatusCode okStatus, CompletionStage<Outcome<T>> outcome) {
    return onSuccess(outcome, o -> o instanceof Outcome.Ok<T> ok
        ? complete(okStatus, ok.value(), Jackson.marshaller(mapper))
        : error(((Outcome.Failed<T>) o).error()));
  }

  private Route error(ApiError e) {
    return complete(ErrorReplies.of(e));
  }

}
