package io.avpush.http;

import io.avpush.api.ApiError;
import io.avpush.api.Failures;
import java.util.Optional;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.ExceptionWithErrorInfo;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;

/**
 * What a client is told when Pekko HTTP could not parse what it sent: a header line of a multipart
 * part too long, a part without {@code Content-Disposition}, a body cut short. Such failures reach
 * the routes as exceptions, some as failed streams, some thrown by Pekko's internals, and whether
 * a body arrived whole in one read (parsed at once) or in pieces (parsed as it streams) decides
 * which. All of them are the client's: a 4xx with Pekko's description and what to do, never a 5xx.
 */
final class ParseFailures {

    private ParseFailures() {}

    /**
     * The client's error when {@code failure} is Pekko HTTP refusing to parse a request, else empty.
     *
     * @param what what could not be read, e.g. "the multipart/form-data body"
     * @param advice what to send instead, appended to the message
     */
    static Optional<ApiError> of(Throwable failure, String what, String advice) {
        Throwable cause = Failures.cause(failure);
        // Pekko's HTTP and multipart header parser throws its internal ParsingException (with a status:
        // 431 for a header line over max-header-value-length); the multipart unmarshaller sometimes
        // passes it on as it is, sometimes converted to the public ParsingException (status lost).
        if (cause instanceof org.apache.pekko.http.impl.engine.parsing.ParsingException p) {
            int status = p.status().intValue();
            return Optional.of(error(status >= 400 && status < 500 ? status : 400, what, p.info(), advice));
        }
        if (cause instanceof IllegalRequestException e) {
            return Optional.of(error(e.status().intValue(), what, e.info(), advice));
        }
        if (cause instanceof ExceptionWithErrorInfo e) {
            return Optional.of(error(400, what, e.info(), advice));
        }
        return Optional.empty();
    }

    private static ApiError error(int status, String what, ErrorInfo info, String advice) {
        String summary = info.summary().isEmpty() ? info.detail() : info.summary();
        return new ApiError(
                status, ErrorReplies.rejectionCode(status), what + " is malformed: " + summary + "; " + advice);
    }
}
