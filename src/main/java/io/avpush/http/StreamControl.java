package io.avpush.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.avpush.api.ApiError;
import io.avpush.http.StreamProtocol.ProtocolException;

/**
 * The text side of a streamed segment (WebSocket {@code /api/sessions/{id}/stream}), pure: reads a
 * producer's control message and checks what an open asks for, saying what is wrong in words the
 * producer can act on. A control message is {@code {"type":"open","sampleRate":16000}} (optional
 * {@code "audio": false} or {@code "video": false}; the rate, 8000..192000 Hz, is required with
 * audio) or {@code {"type":"close"}}. Whether the message may come now (a segment open or not) is
 * {@link StreamSocket}'s to say, after the type and before the fields.
 */
final class StreamControl {

    /** The longest control message, in characters. */
    static final int MAX_CHARS = 64 * 1024;

    /** What an open asks for: the segment's tracks and its audio's rate (not checked without audio). */
    record Open(boolean audio, boolean video, int sampleRate) {}

    private StreamControl() {}

    /** What the producer is told when a text message is longer than {@link #MAX_CHARS}. */
    static ApiError tooLong() {
        return ApiError.tooLarge("a text message exceeds " + MAX_CHARS + " characters; a control message "
                + "is short JSON like {\"type\":\"open\",\"sampleRate\":16000}; send media as binary messages");
    }

    /** The message's JSON, whose {@code "type"} is "open" or "close". */
    static JsonNode read(ObjectMapper mapper, String text) throws ProtocolException {
        JsonNode json;
        try {
            json = mapper.readTree(text);
        } catch (Exception e) {
            throw new ProtocolException(
                    "a text message is a JSON control message like {\"type\":\"open\",\"sampleRate\":16000} "
                            + "or {\"type\":\"close\"}; this one is not JSON: " + e.getMessage());
        }
        String type = json.path("type").asText("");
        if (!type.equals("open") && !type.equals("close")) {
            throw new ProtocolException("unknown control message type '" + type + "'; send \"open\" or \"close\"");
        }
        return json;
    }

    /** Whether a message {@link #read} is an open (else it is a close). */
    static boolean isOpen(JsonNode control) {
        return control.path("type").asText("").equals("open");
    }

    /** The fields of an open message {@link #read}, checked. */
    static Open open(JsonNode control) throws ProtocolException {
        for (String flag : new String[] {"audio", "video"}) {
            if (control.has(flag) && !control.get(flag).isBoolean()) {
                throw new ProtocolException(
                        "\"" + flag + "\" is " + control.get(flag) + "; send true or false, or leave it out for true");
            }
        }
        boolean audio = control.path("audio").asBoolean(true);
        boolean video = control.path("video").asBoolean(true);
        JsonNode rateNode = control.get("sampleRate");
        int rate =
                rateNode != null && rateNode.canConvertToInt() && rateNode.isIntegralNumber() ? rateNode.intValue() : 0;
        if (audio && (rate < 8000 || rate > 192_000)) {
            throw new ProtocolException("\"sampleRate\" is " + (rateNode != null ? rateNode.toString() : "missing")
                    + "; a segment with audio declares its rate, a whole number 8000..192000 Hz (or \"audio\": false)");
        }
        return new Open(audio, video, rate);
    }
}
