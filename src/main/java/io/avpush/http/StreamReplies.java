package io.avpush.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.avpush.api.ApiError;
import io.avpush.session.SessionReplies;
import java.util.LinkedHashMap;
import java.util.Map;
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
        send(
                "type",
                "opened",
                "segmentId",
                segmentId,
                "queuePosition",
                opened.queuePosition(),
                "leadMs",
                opened.leadMs(),
                "bufferMs",
                opened.bufferMs());
    }

    /** The segment is closed: the media received, and its gap ticks so far. */
    void closed(String segmentId, SessionReplies.StreamClosed closed) {
        send(
                "type",
                "closed",
                "segmentId",
                segmentId,
                "receivedMs",
                closed.receivedMs(),
                "gapTicks",
                closed.gapTicks());
    }

    /** The segment is closed, having ended before the producer closed it. */
    void closedAfterEnd(String segmentId) {
        send("type", "closed", "segmentId", segmentId, "ended", true);
    }

    /** The segment holds more than its buffer: the producer's next message waits for {@link #resume}. */
    void slowDown(String segmentId, SessionReplies.StreamCredit credit) {
        send(
                "type",
                "slow-down",
                "segmentId",
                segmentId,
                "bufferedMs",
                credit.bufferedMs(),
                "bufferMs",
                credit.bufferMs());
    }

    /** The segment has played down to its buffer after {@link #slowDown}. */
    void resume(String segmentId, SessionReplies.StreamCredit credit) {
        send("type", "resume", "segmentId", segmentId, "bufferedMs", credit.bufferedMs());
    }

    /** The segment was interrupted (or ended): later media for it is dropped until the producer closes it. */
    void segmentEnded(String segmentId, ApiError error) {
        send("type", "segment-ended", "segmentId", segmentId, "error", error.error(), "message", error.message());
    }

    /** The error that ends the connection. */
    void error(ApiError error) {
        send("type", "error", "error", error.error(), "message", error.message());
    }

    /** No more messages: the outbound stream completes. */
    void complete() {
        try {
            out.complete();
        } catch (IllegalStateException alreadyDone) {
            // the connection was torn down first (node shutdown): nothing left to send
        }
    }

    /** Sends a message of these fields, in this order ("type" first): key, value, key, value... */
    private void send(Object... fields) {
        Map<String, Object> message = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            message.put((String) fields[i], fields[i + 1]);
        }
        try {
            out.offer(TextMessage.create(mapper.writeValueAsString(message)));
        } catch (Exception e) {
            log.warn("cannot encode a stream message", e);
        }
    }
}
