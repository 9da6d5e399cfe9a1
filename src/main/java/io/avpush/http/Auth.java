package io.avpush.http;

import io.avpush.config.AuthSettings;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Who may call what, in one place: every route wraps its handler in one of
 * {@link #publisher} (or {@link #apiKey}), {@link #viewer} or {@link #metrics}, and the whole tree
 * in {@link #cors}. Only {@code /health/*} (load balancers, container health checks), the demo
 * page and CORS preflights need no credential.
 *
 * <ul>
 *   <li>Publishing (create, upload, demo, interrupt, delete) needs an API key from
 *       {@code avpush.auth.api-keys}, as {@code Authorization: Bearer <key>} or {@code X-Api-Key}
 *       (or the query parameter {@code access_token}, where a browser cannot set headers).
 *   <li>Viewing session {@code id} (offer, WHEP, status, events, ending a viewer) takes the API key or
 *       that session's viewer token ({@link ViewerTokens}), as {@code Authorization: Bearer <token>}.
 *   <li>No key configured: development mode, everything is open.
 * </ul>
 *
 * Missing or wrong credentials get 401 with {@code WWW-Authenticate} (RFC 6750); a valid
 * credential that does not reach this resource (a viewer token of another session, or one used to
 * publish) gets 403. Keys are compared in constant time. A client address that presents
 * {@code avpush.auth.max-failures} wrong credentials within {@code failure-window} gets 429 on every
 * call that needs one until the window has passed ({@link CredentialFailures}).
 */
public final class Auth extends AllDirectives {

    /** Request headers a browser may send cross-origin (CORS preflight). */
    static final String ALLOW_HEADERS = "Content-Type, Authorization, X-Api-Key, If-Match";
    /** Response headers a cross-origin page may read (WHEP's Location, Link, ETag). */
    static final String EXPOSE_HEADERS = "Location, Link, ETag, Accept-Post";

    private static final String HOW = "send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'";

    private final List<byte[]> apiKeys;
    private final ViewerTokens tokens;
    private final Clock clock;
    private final CredentialFailures failures;
    private final String clientAddressHeader;
    private final String failureLimit;
    private final boolean openMetrics;
    private final boolean anyOrigin;
    private final List<String> origins;

    public Auth(AuthSettings settings, List<String> corsOrigins, Clock clock) {
        this.apiKeys = settings.apiKeys().stream()
                .map(k -> k.getBytes(StandardCharsets.UTF_8))
                .toList();
        byte[] secret = settings.tokenSecret().getBytes(StandardCharsets.UTF_8);
        if (secret.length == 0) {
            secret = new byte[32];
            new SecureRandom().nextBytes(secret);
        }
        this.tokens = new ViewerTokens(secret, settings.viewerTokenTtl(), clock);
        this.clock = clock;
        this.failures = new CredentialFailures(settings.maxFailures(), settings.failureWindow(), 10_000);
        this.clientAddressHeader = settings.clientAddressHeader();
        this.failureLimit = "avpush.auth.max-failures = " + settings.maxFailures() + " per failure-window = "
                + settings.failureWindow().toSeconds() + " s";
        this.openMetrics = settings.openMetrics() || settings.devMode();
        this.anyOrigin = corsOrigins.contains("*") || (corsOrigins.isEmpty() && settings.devMode());
        this.origins = List.copyOf(corsOrigins);
    }

    /** No API key configured: every endpoint is open. */
    public boolean devMode() {
        return apiKeys.isEmpty();
    }

    /** A new viewer token for session {@code sessionId}. */
    ViewerTokens.Issued viewerToken(String sessionId) {
        return tokens.issue(sessionId);
    }

    /** The API key, or 401/403. */
    public Route publisher(Supplier<Route> inner) {
        return apiKey("publishing", inner);
    }

    /** The API key for {@code what} (e.g. "publishing"; said in the 401/403 message), or 401/403. */
    public Route apiKey(String what, Supplier<Route> inner) {
        if (devMode()) {
            return inner.get();
        }
        return limited((request, address) -> {
            Optional<String> credential = credential(request);
            if (credential.isEmpty()) {
                return unauthorized(false, what + " needs the API key (avpush.auth.api-keys): " + HOW);
            }
            if (isApiKey(credential.get())) {
                return inner.get();
            }
            if (tokens.check(credential.get()) instanceof ViewerTokens.Check.Invalid) {
                return invalid(
                        address, "the credential is not an API key of this node; " + what + " needs one: " + HOW);
            }
            return forbidden("a viewer token only views its session; " + what + " needs the API key: " + HOW);
        });
    }

    /** The API key or a viewer token of session {@code sessionId}, or 401/403. */
    public Route viewer(String sessionId, Supplier<Route> inner) {
        if (devMode()) {
            return inner.get();
        }
        return limited((request, address) -> {
            Optional<String> credential = credential(request);
            if (credential.isEmpty()) {
                return unauthorized(
                        false,
                        "viewing session " + sessionId + " needs its viewer token (viewerToken in the "
                                + "POST /api/sessions reply) or the API key: send 'Authorization: Bearer <token>'");
            }
            if (isApiKey(credential.get())) {
                return inner.get();
            }
            ViewerTokens.Check check = tokens.check(credential.get());
            if (check instanceof ViewerTokens.Check.Valid valid) {
                return valid.sessionId().equals(sessionId)
                        ? inner.get()
                        : forbidden("this viewer token is for session " + valid.sessionId() + ", not " + sessionId);
            }
            if (check instanceof ViewerTokens.Check.Expired expired) {
                return expired.sessionId().equals(sessionId)
                        ? unauthorized(
                                true,
                                "the viewer token of session " + sessionId + " expired at " + expired.expiredAt()
                                        + " (avpush.auth.viewer-token-ttl); get a fresh one with POST /api/sessions/"
                                        + sessionId + "/viewer-token")
                        : forbidden("this viewer token is for session " + expired.sessionId() + ", not " + sessionId);
            }
            return invalid(
                    address,
                    "the credential is neither a viewer token of session " + sessionId
                            + " nor an API key of this node");
        });
    }

    /** Open in development mode or with {@code avpush.auth.open-metrics}; otherwise the API key. */
    public Route metrics(Supplier<Route> inner) {
        return openMetrics ? inner.get() : publisher(inner);
    }

    /**
     * Adds {@code Access-Control-Allow-Origin} to every response whose request's origin is allowed
     * ({@code avpush.http.cors-origins}), so pages on those origins can read the replies.
     */
    public Route cors(Supplier<Route> inner) {
        return optionalHeaderValueByName("Origin", origin -> {
            List<HttpHeader> headers = new ArrayList<>();
            if (anyOrigin) {
                headers.add(RawHeader.create("Access-Control-Allow-Origin", "*"));
            } else if (origin.isPresent() && origins.contains(origin.get())) {
                headers.add(RawHeader.create("Access-Control-Allow-Origin", origin.get()));
                headers.add(RawHeader.create("Vary", "Origin"));
            }
            if (!headers.isEmpty()) {
                headers.add(RawHeader.create("Access-Control-Expose-Headers", EXPOSE_HEADERS));
            }
            return respondWithHeaders(headers, inner);
        });
    }

    /**
     * A CORS preflight: 200 with the methods and headers a page may use, plus {@code extra}; 403
     * JSON for an origin that is not allowed. Preflights carry no credentials, so none is checked.
     */
    public Route preflight(String methods, List<HttpHeader> extra) {
        return optionalHeaderValueByName("Origin", origin -> {
            if (origin.isPresent() && !anyOrigin && !origins.contains(origin.get())) {
                return complete(ErrorReplies.json(
                        StatusCodes.FORBIDDEN,
                        "origin_not_allowed",
                        "pages from "
                                + origin.get()
                                + " may not call this server; add the origin to avpush.http.cors-origins (now "
                                + origins + ")"));
            }
            List<HttpHeader> headers = new ArrayList<>(List.of(
                    RawHeader.create("Access-Control-Allow-Methods", methods),
                    RawHeader.create("Access-Control-Allow-Headers", ALLOW_HEADERS),
                    RawHeader.create("Access-Control-Max-Age", "600")));
            headers.addAll(extra);
            return complete(HttpResponse.create().withStatus(StatusCodes.OK).addHeaders(headers));
        });
    }

    /**
     * The bearer token or X-Api-Key of a request, if it has one; else its {@code access_token} query
     * parameter (RFC 6750 §2.3), for browser APIs that cannot set headers (EventSource, WebSocket).
     */
    private static Optional<String> credential(HttpRequest request) {
        Optional<HttpHeader> authorization = request.getHeader("Authorization");
        if (authorization.isPresent()) {
            String value = authorization.get().value().trim();
            if (value.toLowerCase(Locale.ROOT).startsWith("bearer ")) {
                String token = value.substring("bearer ".length()).trim();
                return token.isEmpty() ? Optional.empty() : Optional.of(token);
            }
        }
        Optional<String> key =
                request.getHeader("X-Api-Key").map(h -> h.value().trim()).filter(k -> !k.isEmpty());
        return key.isPresent()
                ? key
                : request.getUri().query().get("access_token").filter(t -> !t.isEmpty());
    }

    /**
     * Runs {@code check} with the request and its client's address, unless that address presented
     * too many wrong credentials lately: then 429 with Retry-After, whatever this request carries
     * (so a blocked guesser cannot tell a right key from a wrong one).
     */
    private Route limited(BiFunction<HttpRequest, String, Route> check) {
        return extractRequest(request -> {
            String address = clientAddress(request);
            Optional<Duration> wait = failures.blockedFor(address, clock.millis());
            if (wait.isEmpty()) {
                return check.apply(request, address);
            }
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            return complete(ErrorReplies.json(
                            StatusCodes.TOO_MANY_REQUESTS,
                            "too_many_failed_credentials",
                            "too many wrong credentials from " + address + " (" + failureLimit + "); try again in "
                                    + seconds + " s with a right one")
                    .addHeader(RawHeader.create("Retry-After", String.valueOf(seconds))));
        });
    }

    /** A wrong credential: 401, counted against the client's address. */
    private Route invalid(String address, String message) {
        failures.failed(address, clock.millis());
        return unauthorized(true, message);
    }

    /** The connection's peer, or the last address of {@code client-address-header} when configured and present. */
    private String clientAddress(HttpRequest request) {
        if (!clientAddressHeader.isEmpty()) {
            Optional<String> forwarded = request.getHeader(clientAddressHeader).map(HttpHeader::value);
            if (forwarded.isPresent()) {
                String[] hops = forwarded.get().split(",");
                String last = hops[hops.length - 1].trim();
                if (!last.isEmpty()) {
                    return last;
                }
            }
        }
        return request.getAttribute(AttributeKeys.remoteAddress)
                .flatMap(RemoteAddress::getAddress)
                .map(InetAddress::getHostAddress)
                .orElse("an unknown address");
    }

    /** Compares with every key, without stopping at the first match, each in constant time. */
    private boolean isApiKey(String credential) {
        byte[] presented = credential.getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] key : apiKeys) {
            match |= MessageDigest.isEqual(key, presented);
        }
        return match;
    }

    private Route unauthorized(boolean presented, String message) {
        String challenge = presented ? "Bearer realm=\"avpush\", error=\"invalid_token\"" : "Bearer realm=\"avpush\"";
        return complete(ErrorReplies.json(StatusCodes.UNAUTHORIZED, "unauthorized", message)
                .addHeader(RawHeader.create("WWW-Authenticate", challenge)));
    }

    private Route forbidden(String message) {
        return complete(ErrorReplies.json(StatusCodes.FORBIDDEN, "forbidden", message));
    }
}
