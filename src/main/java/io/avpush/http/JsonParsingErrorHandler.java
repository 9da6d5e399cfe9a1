package io.avpush.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * The reply to a request too malformed to reach the routes (a 3,000-character URI, an oversized
 * header, a broken request line or Content-Length): JSON like every other error, not Pekko's plain
 * text. Set on the server binding by {@code Guardian}.
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {

    @Override
    public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
        log.info("refused a malformed request ({}): {}", status.intValue(), info.formatPretty());
        String message = info.summary().isEmpty() ? status.reason() : info.summary();
        if (status.intValue() == 501 || status.intValue() == 505) {
            // An unknown method or HTTP version is the client's garbage, not a server fault: 400, so that
            // 5xx keeps meaning "the server failed".
            return ErrorReplies.json(
                    StatusCodes.BAD_REQUEST,
                    "bad_request",
                    message + "; the API speaks HTTP/1.1 with methods GET, POST, DELETE, OPTIONS and PATCH");
        }
        return ErrorReplies.json(status, ErrorReplies.rejectionCode(status.intValue()), message);
    }
}
