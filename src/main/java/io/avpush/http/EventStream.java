package io.avpush.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.avpush.playout.SessionEvents;
import java.time.Duration;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A session's events as Server-Sent Events ({@code GET /api/sessions/{id}/events}): one SSE per
 * event, its {@code event:} the type, its {@code id:} the sequence number, its {@code data:} the
 * event as JSON; a comment heartbeat every 15 s keeps idle proxies from closing it. It ends when
 * the session ends. A client that reads too slowly to keep 1024 events buffered misses the
 * oldest (seq shows the hole).
 */
final class EventStream {

    private EventStream() {}

    static Source<ServerSentEvent, NotUsed> of(SessionEvents events, ObjectMapper mapper, Materializer materializer) {
        Pair<BoundedSourceQueue<SessionEvents.Event>, Source<SessionEvents.Event, NotUsed>> queue =
                Source.<SessionEvents.Event>queue(1024).preMaterialize(materializer);
        BoundedSourceQueue<SessionEvents.Event> in = queue.first();
        Runnable unsubscribe = events.subscribe(in::offer, in::complete);
        return queue.second()
                .map(e -> ServerSentEvent.create(json(mapper, e), e.type(), Long.toString(e.seq())))
                .keepAlive(Duration.ofSeconds(15), ServerSentEvent::heartbeat)
                .watchTermination((notUsed, done) -> {
                    done.whenComplete((d, failure) -> unsubscribe.run());
                    return notUsed;
                });
    }

    private static String json(ObjectMapper mapper, SessionEvents.Event e) {
        try {
            return mapper.writeValueAsString(e);
        } catch (JsonProcessingException ex) {
            return "{\"type\":\"" + e.type() + "\"}";
        }
    }
}
