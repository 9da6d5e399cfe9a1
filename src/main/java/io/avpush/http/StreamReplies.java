package io.avpush.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.avpush.api.ApiError;
import io.avpush.session.SessionReplies;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.slf4j.Logger;

/**
 * What a producer streaming segments is told ({@link StreamSocket}): every text message the server
 * sends on {@code /api/sessions/{id}/stream} (docs/api.md, "Streamed segments"), one method each,
 * encoded as JSON and offered to the connection's outbound queue.
 */
final class StreamReplies {

    private final BoundedSourceQueue<Message> out;
    private final ObjectMapper mapper;
    private final Logger log;

    StreamReplies(BoundedSourceQueue<Message> out, ObjectMapper mapper, Logger log) {
        this.out = out;
        this.mapper = mapper;
        this.log = log;
    }

    /** The segment is open: where it stands in the session's queue, and the buffer it may fill. */
    void opened(String segmentId, SessionReplies.StreamOpened opened) {
        send(message("opened", segmentId)
                .put("queuePosition", opened.queuePosition())
                .put("leadMs", opened.leadMs())
                .put("bufferMs", opened.bufferMs()));
    }

    /** The segment is closed: the media received, and its gap ticks so far. */
    void closed(String segmentId, SessionReplies.StreamClosed closed) {
        send(message("closed", segmentId).put("receivedMs", closed.receivedMs()).put("gapTicks", closed.gapTicks()));
    }

    /** The segment is closed, having ended before the producer closed it. */
    void closedAfterEnd(String segmentId) {
        send(message("closed", segmentId).put("ended", true));
    }

    /** The segment holds more than its buffer: the producer's next message waits for {@link #resume}. */
    void slowDown(String segmentId, SessionReplies.StreamCredit credit) {
        send(message("slow-down", segmentId)
                .put("bufferedMs", credit.bufferedMs())
                .put("bufferMs", credit.bufferMs()));
    }

    /** The segment has played down to its buffer after {@link #slowDown}. */
    void resume(String segmentId, SessionReplies.StreamCredit credit) {
        send(message("resume", segmentId).put("bufferedMs", credit.bufferedMs()));
    }

    /** The segment was interrupted (or ended): later media for it is dropped until the producer closes it. */
    void segmentEnded(String segmentId, ApiError error) {
        send(message("segment-ended", segmentId).put("error", error.error()).put("message", error.message()));
    }

    /** The error that ends the connection. */
    void error(ApiError error) {
        send(mapper.createObjectNode()
                .put("type", "error")
                .put("error", error.error())
                .put("message", error.message()));
    }

    /** No more messages: the outbound stream completes. */
    void complete() {
        try {
            out.complete();
        } catch (IllegalStateException alreadyDone) {
            // the connection was torn down first (node shutdown): nothing left to send
        }
    }

    /** A message of {@code type} about {@code segmentId}; its fields keep the order they are put in. */
    private ObjectNode message(String type, String segmentId) {
        return mapper.createObjectNode().put("type", type).put("segmentId", segmentId);
    }

    private void send(ObjectNode message) {
        try {
            out.offer(TextMessage.create(mapper.writeValueAsString(message)));
        } catch (Exception e) {
            log.warn("cannot encode a stream message", e);
        }
    }
}
