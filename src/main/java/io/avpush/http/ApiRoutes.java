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
  private static final ObjectMapper ERROR_MAPPER = new ObjectMapper();
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
    return auth.cors(() -> withRequestTimeoutResponse(this::requestTimedOut, () ->
        handleExceptions(exceptionHandler(), () -> handleRejections(rejectionHandler(), () -> concat(
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
        path("stream", () -> handleRejections(rejectionHandler(), () -> auth.publisher(() -> withSession(sessionId, this::stream)))),
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
    return boundedText(MAX_JSON_BYTES, "a session request is at most " + MAX_JSON_BYTES
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
    return boundedText(settings.limits().maxSdpBytes(), "the offer exceeds " + settings.limits().maxSdpBytes()
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
                media = UploadForm.toUpload(parts.get());
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
    return complete(jsonError(StatusCodes.get(e.status()), e.error(), e.message()));
  }

  /**
   * Reads the whole body, at most {@code maxBytes} of it and within {@code bodyTimeout}, before
   * {@code inner} sees it: a larger one gets 413 with {@code message} as soon as its declared or
   * received size passes the limit (one declared at most {@link #DRAINED_UP_TO} is first read and
   * thrown away), one that stalls gets 408 (avpush.limits.upload-timeout).
   */
  static Route boundedBody(long maxBytes, String message, Duration bodyTimeout, java.util.function.Supplier<Route> inner) {
    HttpResponse tooLarge = jsonError(StatusCodes.PAYLOAD_TOO_LARGE, "too_large", message);
    // A body read whole (strict) surfaces the limit as a rejection, a streamed one as an exception.
    RejectionHandler rejections = RejectionHandler.newBuilder()
        .handle(MalformedRequestContentRejection.class, r -> Directives.complete(r.getCause() instanceof EntityStreamSizeException
            ? tooLarge
            : jsonError(StatusCodes.BAD_REQUEST, "bad_request", "The request content was malformed: " + r.message())))
        .build();
    HttpResponse timedOut = jsonError(StatusCodes.REQUEST_TIMEOUT, "upload_timeout", "the request body did not arrive within "
        + bodyTimeout.toSeconds() + " s (avpush.limits.upload-timeout); send the whole body without pausing");
    // toStrictEntity fails with IllegalRequestException (status 400 in Pekko HTTP 1.3) whose summary
    // says which: "Request too large" past the limit, "Request timed out" past the timeout.
    ExceptionHandler failures = ExceptionHandler.newBuilder()
        .match(EntityStreamSizeException.class, e -> Directives.complete(tooLarge))
        .match(IllegalRequestException.class, e -> Directives.complete(
            e.status().intValue() == 413 || e.info().summary().startsWith("Request too large") ? tooLarge
                : e.status().intValue() == 408 || e.info().summary().startsWith("Request timed out") ? timedOut
                : jsonError(e.status(), rejectionCode(e.status().intValue()), e.info().summary())))
        .build();
    Route bounded = Directives.handleExceptions(failures, () -> Directives.handleRejections(rejections, () ->
        Directives.toStrictEntity(bodyTimeout, maxBytes, inner)));
    return Directives.extractRequest(request -> {
      OptionalLong declared = request.entity().getContentLengthOption();
      if (declared.isEmpty() || declared.getAsLong() <= maxBytes || declared.getAsLong() > DRAINED_UP_TO) {
        return bounded;
      }
      // Declared too large but small enough to read: read it and throw it away before the 413.
      // Answering from the Content-Length alone closes the connection while the client is still
      // sending; its further bytes then meet a reset that can wipe the 413 out of the client's
      // receive buffer unread (about 1 request in 600 with an 83 KB JSON body in the JDK client).
      // Read to the end, the 413 always arrives and the connection stays open for the next request.
      return Directives.extractMaterializer(materializer -> Directives.onComplete(
          request.entity().getDataBytes()
              .completionTimeout(bodyTimeout)
              .runWith(Sink.ignore(), materializer),
          // A body that stalls while being thrown away is still refused for its size, the news
          // its sender can act on; its connection closes with the failed read.
          drained -> Directives.complete(tooLarge)));
    });
  }

  /**
   * {@link #boundedBody}, then the body as UTF-8 text for {@code inner}: a body in another charset
   * is refused with 415, one with bytes that are not UTF-8 with 400, both saying what to send.
   *
   * @param what the body in those messages, e.g. "the JSON body"
   */
  static Route boundedText(long maxBytes, String message, Duration bodyTimeout, String what, Function<String, Route> inner) {
    return boundedBody(maxBytes, message, bodyTimeout, () -> Directives.extractRequestEntity(entity -> {
      Optional<String> charset = BodyText.unsupportedCharset(entity, what);
      if (charset.isPresent()) {
        return Directives.complete(jsonError(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", charset.get()));
      }
      String text;
      try {
        text = BodyText.utf8(((org.apache.pekko.http.javadsl.model.HttpEntity.Strict) entity).getData(), what);
      } catch (BodyText.NotUtf8 e) {
        return Directives.complete(jsonError(StatusCodes.BAD_REQUEST, "bad_request", e.getMessage()));
      }
      return inner.apply(text);
    }));
  }

  /**
   * The largest declared body {@link #boundedBody} reads to its end before refusing it with 413;
   * a larger one is refused from its headers and its connection closed.
   */
  static final long DRAINED_UP_TO = 1024 * 1024;

  private HttpResponse requestTimedOut(org.apache.pekko.http.javadsl.model.HttpRequest request) {
    return jsonError(StatusCodes.SERVICE_UNAVAILABLE, "timeout", "the request did not complete within"
        + " pekko.http.server.request-timeout; the node is overloaded, try again");
  }

  /** An error reply, counted in {@link Metrics#HTTP_ERRORS} by status and code. */
  static HttpResponse jsonError(StatusCode status, String error, String message) {
    Metrics.HTTP_ERRORS.labelValues(Integer.toString(status.intValue()), error).inc();
    String json;
    try {
      json = ERROR_MAPPER.writeValueAsString(new JsonBodies.ErrorReply(error, message));
    } catch (JsonProcessingException e) {
      json = "{\"error\":\"" + error + "\"}";
    }
    return HttpResponse.create().withStatus(status).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, json));
  }

  private ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .match(EntityStreamSizeException.class, e -> complete(jsonError(StatusCodes.PAYLOAD_TOO_LARGE, "too_large",
            "the request body exceeds " + settings.limits().maxUploadBytes()
                + " bytes (avpush.limits.max-upload-bytes); send a shorter segment")))
        .match(java.util.concurrent.TimeoutException.class, e -> complete(jsonError(StatusCodes.SERVICE_UNAVAILABLE,
            "timeout", "the session did not answer within " + timeout.toMillis() + " ms; try again")))
        .match(Throwable.class, e -> {
          Throwable cause = e.getCause() instanceof EntityStreamSizeException ? e.getCause() : e;
          if (cause instanceof EntityStreamSizeException) {
            return complete(jsonError(StatusCodes.PAYLOAD_TOO_LARGE, "too_large",
                "the request body exceeds " + settings.limits().maxUploadBytes() + " bytes (avpush.limits.max-upload-bytes)"));
          }
          // Whatever Pekko HTTP could not parse on the way in is the client's to fix.
          Optional<ApiError> refused = ParseFailures.of(e, "the request", "correct it and send it again");
          if (refused.isPresent()) {
            return error(refused.get());
          }
          system.log().error("request failed", e);
          return complete(jsonError(StatusCodes.INTERNAL_SERVER_ERROR, "internal_error", "the server failed: " + e));
        })
        .build();
  }

  private static RejectionHandler rejectionHandler() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
      if (response.entity().getContentType().equals(ContentTypes.APPLICATION_JSON)) {
        return response;
      }
      String text = response.entity() instanceof org.apache.pekko.http.javadsl.model.HttpEntity.Strict strict
          ? strict.getData().utf8String()
          : response.status().reason();
      return jsonError(response.status(), rejectionCode(response.status().intValue()), text);
    });
  }

  /** The stable code of a rejection: 405 and 415 are not "bad_request", a client must change something else. */
  static String rejectionCode(int status) {
    return switch (status) {
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 408 -> "timeout";
      case 413 -> "too_large";
      case 414 -> "uri_too_long";
      case 431 -> "headers_too_large";
      case 415 -> "unsupported_media_type";
      default -> status >= 500 ? "internal_error" : "bad_request";
    };
  }
}
