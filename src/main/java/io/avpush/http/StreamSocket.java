package io.avpush.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.avpush.api.ApiError;
import io.avpush.api.Failures;
import io.avpush.media.FrameConverter;
import io.avpush.session.Outcome;
import io.avpush.session.Session;
import io.avpush.session.SessionReplies;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * One WebSocket connection of {@code /api/sessions/{id}/stream}: a producer opens a segment with
 * a JSON text message, sends its audio and frames as binary messages ({@link StreamProtocol}) as
 * it makes them, and closes it; then it may open the next. Messages are handled one at a time,
 * each only after the session took the previous one, so a producer ahead of the session's
 * buffer ({@code avpush.media.stream-buffer}) is told {@code slow-down} and then simply not read
 * (TCP back-pressure) until the segment has played down; {@code resume} follows. A malformed
 * message gets {@code {"type":"error",...}} and the socket is closed; the session and its other
 * segments go on. A producer that disconnects closes its open segment: what arrived plays.
 *
 * <p>Here are the flow, the open segment and the asks to the session; {@link StreamControl} reads
 * the text messages, {@link MessageBuffer} takes in the binary ones, and {@link StreamReplies}
 * writes what the producer is told.
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
    private final FrameConverter converter;
    private final MessageBuffer received;
    private StreamReplies replies;
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
    StreamSocket(
            ActorRef<Session.Command> session,
            ActorSystem<?> system,
            ObjectMapper mapper,
            Duration timeout,
            Duration roomTimeout,
            int width,
            int height,
            FrameConverter converter) {
        this.converter = converter;
        this.session = session;
        this.system = system;
        this.materializer = Materializer.matFromSystem(system);
        this.mapper = mapper;
        this.timeout = timeout;
        this.roomTimeout = roomTimeout;
        this.width = width;
        this.height = height;
        this.received = new MessageBuffer(StreamProtocol.HEADER_BYTES + (long) width * height * 3 + 1024 * 1024);
    }

    Flow<Message, Message, NotUsed> flow() {
        Pair<BoundedSourceQueue<Message>, Source<Message, NotUsed>> queue =
                Source.<Message>queue(256).preMaterialize(materializer);
        replies = new StreamReplies(queue.first(), mapper, system.log());
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
            handled = message.asTextMessage()
                    .getStreamedText()
                    .limitWeighted(StreamControl.MAX_CHARS, t -> (long) t.length())
                    .runFold("", String::concat, materializer)
                    .thenComposeAsync(this::onText, SameThread.EXECUTOR)
                    .exceptionallyAsync(this::textFailed, SameThread.EXECUTOR);
        } else {
            BinaryMessage binary = message.asBinaryMessage();
            received.start();
            handled = binary.isStrict()
                    ? CompletableFuture.<Void>completedFuture(null)
                            .thenAccept(x -> received.append(binary.getStrictData()))
                            .thenCompose(x -> onBinary())
                    : binary.getStreamedData()
                            .runForeach(received::append, materializer)
                            .thenComposeAsync(x -> onBinary(), SameThread.EXECUTOR);
        }
        return handled.exceptionallyAsync(this::failed, SameThread.EXECUTOR);
    }

    private CompletionStage<Boolean> onText(String text) {
        try {
            JsonNode control = StreamControl.read(mapper, text);
            return StreamControl.isOpen(control) ? open(control) : close();
        } catch (StreamProtocol.ProtocolException e) {
            return protocolError(e.getMessage());
        }
    }

    private CompletionStage<Boolean> open(JsonNode control) throws StreamProtocol.ProtocolException {
        if (segmentId != null) {
            return protocolError(
                    "segment " + segmentId + " is still open; close it ({\"type\":\"close\"}) before opening the next");
        }
        StreamControl.Open request = StreamControl.open(control);
        CompletionStage<Outcome<SessionReplies.StreamOpened>> opened =
                ask(r -> new Session.OpenStream(request.audio(), request.video(), r), timeout);
        return opened.thenApplyAsync(
                o -> {
                    if (o instanceof Outcome.Ok<SessionReplies.StreamOpened> ok) {
                        protocol = new StreamProtocol(
                                width, height, request.audio(), request.video(), request.sampleRate(), converter);
                        segmentId = ok.value().segmentId();
                        segmentEnded = false;
                        replies.opened(segmentId, ok.value());
                        return true;
                    }
                    return sendError(((Outcome.Failed<?>) o).error());
                },
                SameThread.EXECUTOR);
    }

    private CompletionStage<Boolean> close() {
        if (segmentId == null) {
            return protocolError("no segment is open; send {\"type\":\"open\",\"sampleRate\":16000} first");
        }
        String id = segmentId;
        segmentId = null;
        if (segmentEnded) {
            replies.closedAfterEnd(id);
            return CompletableFuture.completedFuture(true);
        }
        short[] tail = protocol.finish();
        CompletionStage<?> flushed = tail.length == 0
                ? CompletableFuture.completedFuture(null)
                : this.<Outcome<SessionReplies.StreamCredit>>ask(
                        r -> new Session.StreamAppend(id, tail, null, -1, r), timeout);
        return flushed.thenComposeAsync(
                        x -> this.<Outcome<SessionReplies.StreamClosed>>ask(
                                r -> new Session.CloseStream(id, r), timeout),
                        SameThread.EXECUTOR)
                .thenApplyAsync(
                        o -> {
                            if (o instanceof Outcome.Ok<SessionReplies.StreamClosed> ok) {
                                replies.closed(id, ok.value());
                            } else {
                                replies.closedAfterEnd(id);
                            }
                            return true;
                        },
                        SameThread.EXECUTOR);
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
            media = protocol.decode(received.message());
        } catch (StreamProtocol.ProtocolException e) {
            return protocolError(e.getMessage());
        }
        String id = segmentId;
        CompletionStage<Outcome<SessionReplies.StreamCredit>> appended = ask(
                r -> new Session.StreamAppend(id, media.pcm48k(), media.frameI420(), media.frameTsSamples(), r),
                timeout);
        return appended.thenComposeAsync(
                o -> {
                    if (o instanceof Outcome.Ok<SessionReplies.StreamCredit> ok) {
                        return ok.value().slowDown()
                                ? slowDown(id, ok.value())
                                : CompletableFuture.completedFuture(true);
                    }
                    segmentEnded(id, ((Outcome.Failed<?>) o).error());
                    return CompletableFuture.completedFuture(true);
                },
                SameThread.EXECUTOR);
    }

    /** The segment holds more than its buffer: the producer's next message is not read until it has played down. */
    private CompletionStage<Boolean> slowDown(String id, SessionReplies.StreamCredit credit) {
        replies.slowDown(id, credit);
        return this.<Outcome<SessionReplies.StreamCredit>>ask(r -> new Session.AwaitRoom(id, r), roomTimeout)
                .thenApplyAsync(
                        room -> {
                            if (room instanceof Outcome.Ok<SessionReplies.StreamCredit> ok) {
                                replies.resume(id, ok.value());
                            } else {
                                segmentEnded(id, ((Outcome.Failed<?>) room).error());
                            }
                            return true;
                        },
                        SameThread.EXECUTOR);
    }

    /** The segment was interrupted (or ended): later media for it is dropped until the client closes it. */
    private void segmentEnded(String id, ApiError error) {
        if (!segmentEnded && id.equals(segmentId)) {
            segmentEnded = true;
            replies.segmentEnded(id, error);
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
        replies.complete();
    }

    /** A text message longer than {@link StreamControl#MAX_CHARS}: the client is told; other failures go on to {@link #failed}. */
    private Boolean textFailed(Throwable t) {
        if (Failures.cause(t) instanceof StreamLimitReachedException) {
            return sendError(StreamControl.tooLong());
        }
        return failed(t);
    }

    private Boolean failed(Throwable t) {
        Throwable cause = Failures.cause(t);
        if (cause instanceof StreamLimitReachedException) {
            return sendError(received.tooLarge());
        }
        if (cause instanceof java.util.concurrent.TimeoutException) {
            return sendError(
                    ApiError.unavailable("the session did not answer in time (it ended, or the node is overloaded)"));
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
        replies.error(error);
        return false;
    }

    private <T> CompletionStage<T> ask(Function<ActorRef<T>, Session.Command> message, Duration within) {
        return AskPattern.ask(session, message, within, system.scheduler());
    }
}
