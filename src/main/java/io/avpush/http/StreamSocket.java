package io.avpush.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.avpush.media.FrameConverter;
import io.avpush.api.ApiError;
import io.avpush.api.Failures;
import io.avpush.session.Outcome;
import io.avpush.session.Session;
import io.avpush.session.SessionReplies;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * One WebSocket connection of {@code /api/sessions/{id}/stream}: a producer opens a segment with
 * a JSON text message, sends its audio and frames as binary messages ({@link StreamProtocol}) as
 * it makes them, and closes it; then it may open the next. Messages are handled one at a time,
 * each only after the session took the previous one, so a producer ahead of the session's
 * buffer ({@code avpush.media.stream-buffer}) is told {@code slow-down} and then simply not read
 * (TCP back-pressure) until the segment has played down; {@code resume} follows. A malformed
 * message gets {@code {"type":"error",...}} and the socket is closed; the session and its other
 * segments go on. A producer that disconnects closes its open segment: what arrived plays.
 */
final class StreamSocket {

  private final ActorRef<Session.Command> session;
  private final ActorSystem<?> system;
  private final Materializer materializer;
  private final ObjectMapper mapper;
  private final Duration timeout;
  private final Duration roomTimeout;
  private final int width;
  private final int height;
  private final long maxMessageBytes;
  private final FrameConverter converter;
  /**
   * The binary message being received, copied here from the chunks as they arrive (the one copy
   * of a frame: libyuv converts it from here); one per connection, as messages are handled one at
   * a time, allocated with the first binary message.
   */
  private ByteBuffer received;
  /** The longest text (control) message, in characters. */
  static final int MAX_TEXT_CHARS = 64 * 1024;
  private BoundedSourceQueue<Message> out;
  private StreamProtocol protocol;
  private String segmentId;
  private boolean segmentEnded;
  /**
   * Set with the error that ends the connection: messages the client sent after the one refused
   * (which the stream may already have taken in) are not acted on.
   */
  private volatile boolean refused;

  /**
   * @param roomTimeout how long a producer may be held back waiting for the segment to play down
   */
  StreamSocket(ActorRef<Session.Command> session, ActorSystem<?> system, ObjectMapper mapper, Duration timeout,
      Duration roomTimeout, int width, int height, FrameConverter converter) {
    this.converter = converter;
    this.session = session;
    this.system = system;
    this.materializer = Materializer.matFromSystem(system);
    this.mapper = mapper;
    this.timeout = timeout;
    this.roomTimeout = roomTimeout;
    this.width = width;
    this.height = height;
    this.maxMessageBytes = StreamProtocol.HEADER_BYTES + (long) width * height * 3 + 1024 * 1024;
  }

  Flow<Message, Message, NotUsed> flow() {
    Pair<BoundedSourceQueue<Message>, Source<Message, NotUsed>> queue = Source.<Message>queue(256).preMaterialize(materializer);
    out = queue.first();
    Sink<Message, NotUsed> in = Flow.<Message>create()
        .mapAsync(1, this::handle)
        .takeWhile(goOn -> goOn)
        .to(Sink.onComplete(done -> onInboundEnd()));
    return Flow.fromSinkAndSource(in, queue.second());
  }

  private CompletionStage<Boolean> handle(Message message) {
    if (refused) {
      return CompletableFuture.completedFuture(false);
    }
    CompletionStage<Boolean> handled;
    if (message.isText()) {
      handled = message.asTextMessage().getStreamedText()
          .limitWeighted(MAX_TEXT_CHARS, t -> (long) t.length())
          .runFold("", String::concat, materializer)
          .thenComposeAsync(this::onText, SameThread.EXECUTOR)
          .exceptionallyAsync(this::textFailed, SameThread.EXECUTOR);
    } else {
      BinaryMessage binary = message.asBinaryMessage();
      if (received == null) {
        received = ByteBuffer.allocateDirect((int) maxMessageBytes);
      }
      received.clear();
      handled = binary.isStrict()
          ? CompletableFuture.<Void>completedFuture(null).thenAccept(x -> receive(binary.getStrictData())).thenCompose(x -> onBinary())
          : binary.getStreamedData().runForeach(this::receive, materializer).thenComposeAsync(x -> onBinary(), SameThread.EXECUTOR);
    }
    return handled.exceptionallyAsync(this::failed, SameThread.EXECUTOR);
  }

  private CompletionStage<Boolean> onText(String text) {
    JsonNode json;
    try {
      json = mapper.readTree(text);
    } catch (Exception e) {
      return protocolError("a text message is a JSON control message like {\"type\":\"open\",\"sampleRate\":16000} "
          + "or {\"type\":\"close\"}; this one is not JSON: " + e.getMessage());
    }
    String type = json.path("type").asText("");
    return switch (type) {
      case "open" -> open(json);
      case "close" -> close();
      default -> protocolError("unknown control message type '" + type + "'; send \"open\" or \"close\"");
    };
  }

  private CompletionStage<Boolean> open(JsonNode json) {
    if (segmentId != null) {
      return protocolError("segment " + segmentId + " is still open; close it ({\"type\":\"close\"}) before opening the next");
    }
    for (String flag : new String[] {"audio", "video"}) {
      if (json.has(flag) && !json.get(flag).isBoolean()) {
        return protocolError("\"" + flag + "\" is " + json.get(flag) + "; send true or false, or leave it out for true");
      }
    }
    boolean audio = json.path("audio").asBoolean(true);
    boolean video = json.path("video").asBoolean(true);
    JsonNode rateNode = json.get("sampleRate");
    int rate = rateNode != null && rateNode.canConvertToInt() && rateNode.isIntegralNumber() ? rateNode.intValue() : 0;
    if (audio && (rate < 8000 || rate > 192_000)) {
      return protocolError("\"sampleRate\" is " + (rateNode != null ? rateNode.toString() : "missing")
          + "; a segment with audio declares its rate, a whole number 8000..192000 Hz (or \"audio\": false)");
    }
    CompletionStage<Outcome<SessionReplies.StreamOpened>> opened =
        ask(r -> new Session.OpenStream(audio, video, r), timeout);
    return opened.thenApplyAsync(o -> {
      if (o instanceof Outcome.Ok<SessionReplies.StreamOpened> ok) {
        protocol = new StreamProtocol(width, height, audio, video, rate, converter);
        segmentId = ok.value().segmentId();
        segmentEnded = false;
        send(Map.of("type", "opened", "segmentId", segmentId, "queuePosition", ok.value().queuePosition(),
            "leadMs", ok.value().leadMs(), "bufferMs", ok.value().bufferMs()));
        return true;
      }
      return sendError(((Outcome.Failed<?>) o).error());
    }, SameThread.EXECUTOR);
  }

  private CompletionStage<Boolean> close() {
    if (segmentId == null) {
      return protocolError("no segment is open; send {\"type\":\"open\",\"sampleRate\":16000} first");
    }
    String id = segmentId;
    segmentId = null;
    if (segmentEnded) {
      send(Map.of("type", "closed", "segmentId", id, "ended", true));
      return CompletableFuture.completedFuture(true);
    }
    short[] tail = protocol.finish();
    CompletionStage<?> flushed = tail.length == 0
        ? CompletableFuture.completedFuture(null)
        : this.<Outcome<SessionReplies.StreamCredit>>ask(r -> new Session.StreamAppend(id, tail, null, -1, r), timeout);
    return flushed
        .thenComposeAsync(x -> this.<Outcome<SessionReplies.StreamClosed>>ask(r -> new Session.CloseStream(id, r), timeout),
            SameThread.EXECUTOR)
        .thenApplyAsync(o -> {
          if (o instanceof Outcome.Ok<SessionReplies.StreamClosed> ok) {
            send(Map.of("type", "closed", "segmentId", id, "receivedMs", ok.value().receivedMs(),
                "gapTicks", ok.value().gapTicks()));
          } else {
            send(Map.of("type", "closed", "segmentId", id, "ended", true));
          }
          return true;
        }, SameThread.EXECUTOR);
  }

  /** Copies the next chunk of a binary message into {@link #received}; refuses a message over the limit. */
  private void receive(ByteString chunk) {
    if (chunk.size() > received.remaining()) {
      throw new StreamLimitReachedException(maxMessageBytes);
    }
    for (ByteBuffer b : chunk.getByteBuffers()) {
      received.put(b);
    }
  }

  private CompletionStage<Boolean> onBinary() {
    if (segmentId == null) {
      return protocolError("no segment is open; send {\"type\":\"open\",\"sampleRate\":16000} before media");
    }
    if (segmentEnded) {
      return CompletableFuture.completedFuture(true);
    }
    StreamProtocol.Media media;
    try {
      media = protocol.decode(received.flip());
    } catch (StreamProtocol.ProtocolException e) {
      return protocolError(e.getMessage());
    }
    String id = segmentId;
    CompletionStage<Outcome<SessionReplies.StreamCredit>> appended = ask(
        r -> new Session.StreamAppend(id, media.pcm48k(), media.frameI420(), media.frameTsSamples(), r), timeout);
    return appended.thenComposeAsync(o -> {
      if (o instanceof Outcome.Ok<SessionReplies.StreamCredit> ok) {
        if (!ok.value().slowDown()) {
          return CompletableFuture.completedFuture(true);
        }
        send(Map.of("type", "slow-down", "segmentId", id, "bufferedMs", ok.value().bufferedMs(),
            "bufferMs", ok.value().bufferMs()));
        return this.<Outcome<SessionReplies.StreamCredit>>ask(r -> new Session.AwaitRoom(id, r), roomTimeout)
            .thenApplyAsync(room -> {
              if (room instanceof Outcome.Ok<SessionReplies.StreamCredit> credit) {
                send(Map.of("type", "resume", "segmentId", id, "bufferedMs", credit.value().bufferedMs()));
              } else {
                segmentEnded(id, ((Outcome.Failed<?>) room).error());
              }
              return true;
            }, SameThread.EXECUTOR);
      }
      segmentEnded(id, ((Outcome.Failed<?>) o).error());
      return CompletableFuture.completedFuture(true);
    }, SameThread.EXECUTOR);
  }

  /** The segment was interrupted (or ended): later media for it is dropped until the client closes it. */
  private void segmentEnded(String id, ApiError error) {
    if (!segmentEnded && id.equals(segmentId)) {
      segmentEnded = true;
      send(Map.of("type", "segment-ended", "segmentId", id, "error", error.error(), "message", error.message()));
    }
  }

  private void onInboundEnd() {
    if (segmentId != null && !segmentEnded) {
      String id = segmentId;
      short[] tail = protocol.finish();
      if (tail.length > 0) {
        session.tell(new Session.StreamAppend(id, tail, null, -1, system.ignoreRef()));
      }
      session.tell(new Session.CloseStream(id, system.ignoreRef()));
      segmentId = null;
    }
    try {
      out.complete();
    } catch (IllegalStateException alreadyDone) {
      // the connection was torn down first (node shutdown): nothing left to send
    }
  }

  /** A text message longer than {@link #MAX_TEXT_CHARS}: the client is told; other failures go on to {@link #failed}. */
  private Boolean textFailed(Throwable t) {
    if (Failures.cause(t) instanceof StreamLimitReachedException) {
      return sendError(ApiError.tooLarge("a text message exceeds " + MAX_TEXT_CHARS + " characters; a control message "
          + "is short JSON like {\"type\":\"open\",\"sampleRate\":16000}; send media as binary messages"));
    }
    return failed(t);
  }

  private Boolean failed(Throwable t) {
    Throwable cause = Failures.cause(t);
    if (cause instanceof StreamLimitReachedException) {
      return sendError(ApiError.tooLarge("a message exceeds " + maxMessageBytes + " bytes; send one frame or one "
          + "audio chunk per message"));
    }
    if (cause instanceof java.util.concurrent.TimeoutException) {
      return sendError(ApiError.unavailable("the session did not answer in time (it ended, or the node is overloaded)"));
    }
    system.log().error("stream socket failed", cause);
    return sendError(new ApiError(500, "internal_error", "the server failed: " + cause));
  }

  private CompletionStage<Boolean> protocolError(String message) {
    return CompletableFuture.completedFuture(sendError(ApiError.badRequest(message)));
  }

  /** Sends the error and ends the connection: returns false, which stops reading. */
  private boolean sendError(ApiError error) {
    refused = true;
    send(Map.of("type", "error", "error", error.error(), "message", error.message()));
    return false;
  }

  private void send(Map<String, ?> message) {
    try {
      out.offer(TextMessage.create(mapper.writeValueAsString(new LinkedHashMap<>(message))));
    } catch (Exception e) {
      system.log().warn("cannot encode a stream message", e);
    }
  }

  private <T> CompletionStage<T> ask(
      org.apache.pekko.japi.function.Function<ActorRef<T>, Session.Command> message, Duration within) {
    return AskPattern.ask(session, message, within, system.scheduler());
  }
}
