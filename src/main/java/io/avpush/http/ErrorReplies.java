package io.avpush.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.avpush.api.ApiError;
import io.avpush.metrics.Metrics;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;

/** Every error a client gets: JSON {@code {"error": code, "message": ...}}, counted by status and code. */
final class ErrorReplies {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ErrorReplies() {}

    /** The reply that tells a client {@code e}. */
    static HttpResponse of(ApiError e) {
        return json(StatusCodes.get(e.status()), e.error(), e.message());
    }

    /** The reply to a request that outlived pekko.http.server.request-timeout. */
    static HttpResponse requestTimedOut(HttpRequest request) {
        return json(
                StatusCodes.SERVICE_UNAVAILABLE,
                "timeout",
                "the request did not complete within"
                        + " pekko.http.server.request-timeout; the node is overloaded, try again");
    }

    /** An error reply, counted in {@link Metrics#HTTP_ERRORS} by status and code. */
    static HttpResponse json(StatusCode status, String error, String message) {
        Metrics.HTTP_ERRORS
                .labelValues(Integer.toString(status.intValue()), error)
                .inc();
        String json;
        try {
            json = MAPPER.writeValueAsString(new JsonBodies.ErrorReply(error, message));
        } catch (JsonProcessingException e) {
            json = "{\"error\":\"" + error + "\"}";
        }
        return HttpResponse.create()
                .withStatus(status)
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, json));
    }

    /**
     * What a request that failed is answered: 413 past the upload limit, 503 when the session did not
     * answer in time, 4xx for whatever Pekko HTTP could not parse, 500 (logged) for the rest.
     */
    static ExceptionHandler exceptionHandler(long maxUploadBytes, Duration timeout, Logger log) {
        return ExceptionHandler.newBuilder()
                .match(
                        EntityStreamSizeException.class,
                        e -> Directives.complete(json(
                                StatusCodes.PAYLOAD_TOO_LARGE,
                                "too_large",
                                "the request body exceeds " + maxUploadBytes
                                        + " bytes (avpush.limits.max-upload-bytes); send a shorter segment")))
                .match(
                        java.util.concurrent.TimeoutException.class,
                        e -> Directives.complete(json(
                                StatusCodes.SERVICE_UNAVAILABLE,
                                "timeout",
                                "the session did not answer within " + timeout.toMillis() + " ms; try again")))
                .match(Throwable.class, e -> {
                    Throwable cause = e.getCause() instanceof EntityStreamSizeException ? e.getCause() : e;
                    if (cause instanceof EntityStreamSizeException) {
                        return Directives.complete(json(
                                StatusCodes.PAYLOAD_TOO_LARGE,
                                "too_large",
                                "the request body exceeds " + maxUploadBytes
                                        + " bytes (avpush.limits.max-upload-bytes)"));
                    }
                    // Whatever Pekko HTTP could not parse on the way in is the client's to fix.
                    Optional<ApiError> refused = ParseFailures.of(e, "the request", "correct it and send it again");
                    if (refused.isPresent()) {
                        return Directives.complete(of(refused.get()));
                    }
                    log.error("request failed", e);
                    return Directives.complete(
                            json(StatusCodes.INTERNAL_SERVER_ERROR, "internal_error", "the server failed: " + e));
                })
                .build();
    }

    /** Pekko's rejections, as JSON with a stable code. */
    static RejectionHandler rejectionHandler() {
        return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
            if (response.entity().getContentType().equals(ContentTypes.APPLICATION_JSON)) {
                return response;
            }
            String text = response.entity() instanceof HttpEntity.Strict strict
                    ? strict.getData().utf8String()
                    : response.status().reason();
            return json(response.status(), rejectionCode(response.status().intValue()), text);
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
