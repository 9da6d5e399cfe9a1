package io.avpush.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.avpush.api.ApiError;

/** The API's JSON request bodies, read strictly; what is wrong with one is said in the client's terms. */
final class RequestBodies {
    static final String SESSION_EXAMPLE = "{\"fps\": 30, \"width\": 512, \"height\": 512}";

    private RequestBodies() {}

    /** A body the client must correct, and what to tell it. */
    static final class Refused extends Exception {
        private final transient ApiError error;

        Refused(ApiError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }

        ApiError error() {
            return error;
        }
    }

    /** POST /api/sessions: every field is optional, so an empty body asks for the defaults. */
    static JsonBodies.CreateSession createSession(ObjectMapper mapper, String body) throws Refused {
        if (body.isBlank()) {
            return new JsonBodies.CreateSession(null, null, null);
        }
        try {
            JsonBodies.CreateSession req = mapper.readValue(body, JsonBodies.CreateSession.class);
            if (req == null) {
                throw new JsonProcessingException("the body is JSON null, not an object") {};
            }
            return req;
        } catch (JsonProcessingException e) {
            throw new Refused(ApiError.badRequest("body is not a session request: " + e.getOriginalMessage()
                    + " (expected JSON like " + SESSION_EXAMPLE + ", all optional)"));
        }
    }

    /** POST .../offer: the offer's SDP text, from {@code {"sdp": "v=0...", "type": "offer"}}. */
    static String offerSdp(ObjectMapper mapper, String body, long maxSdpBytes) throws Refused {
        if (body.length() > maxSdpBytes) {
            throw new Refused(ApiError.tooLarge("the offer is " + body.length() + " bytes; the limit is " + maxSdpBytes
                    + " (avpush.limits.max-sdp-bytes)"));
        }
        JsonBodies.Sdp sdp;
        try {
            sdp = mapper.readValue(body, JsonBodies.Sdp.class);
            if (sdp == null) {
                throw new JsonProcessingException("the body is JSON null, not an object") {};
            }
        } catch (JsonProcessingException e) {
            throw new Refused(ApiError.badRequest("body is not an SDP offer: " + e.getOriginalMessage()
                    + " (expected JSON {\"sdp\": \"v=0...\", \"type\": \"offer\"})"));
        }
        if (sdp.sdp() == null || sdp.sdp().isBlank()) {
            throw new Refused(ApiError.badRequest(
                    "field 'sdp' is missing or empty; send {\"sdp\": \"v=0...\", \"type\": \"offer\"}"));
        }
        if (sdp.type() != null && !"offer".equals(sdp.type())) {
            throw new Refused(
                    ApiError.badRequest("field 'type' is '" + sdp.type() + "'; the server only answers offers"));
        }
        return sdp.sdp();
    }
}
