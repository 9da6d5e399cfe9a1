package io.avpush.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The public API as a client sees it, over {@link HttpClient}: JSON requests, multipart segment
 * uploads, and replies with their status, content type and parsed JSON body.
 */
public final class ApiClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BOUNDARY = "avpush-test-boundary-7f3a";

    /** A reply: its JSON body is null when the body is not JSON. */
    public record Reply(int status, String contentType, String body, JsonNode json, java.net.http.HttpHeaders headers) {
        public String text(String field) {
            return json == null || !json.hasNonNull(field)
                    ? null
                    : json.get(field).asText();
        }

        /** Its JSON body, when the status is {@code expected}; else fails with the reply (for programs, not assertions). */
        public JsonNode expect(int expected) {
            if (status != expected) {
                throw new IllegalStateException("expected " + expected + ", got " + this);
            }
            return json;
        }

        /** The first value of a response header, or null. */
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + contentType + " " + body;
        }
    }

    /** One part of a multipart/form-data body; a null filename makes it a plain field. */
    public record Part(String name, String filename, String contentType, byte[] bytes) {
        public static Part field(String name, String value) {
            return new Part(name, null, null, value.getBytes(StandardCharsets.UTF_8));
        }

        public static Part file(String name, String filename, byte[] bytes) {
            return new Part(name, filename, "application/octet-stream", bytes);
        }
    }

    private final URI base;
    private final HttpClient http;
    /** Sent with every request: name, value, name, value... */
    private final List<String> headers;

    private final Duration timeout;

    /** The server's base URI, e.g. http://127.0.0.1:PORT/ . */
    public URI base() {
        return base;
    }

    public ApiClient(URI base) {
        this(base, Duration.ofSeconds(20));
    }

    /** With {@code timeout} for each request (a benchmark's 47 MB uploads on a loaded machine). */
    public ApiClient(URI base, Duration timeout) {
        this(
                base,
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5))
                        .build(),
                List.of(),
                timeout);
    }

    private ApiClient(URI base, HttpClient http, List<String> headers, Duration timeout) {
        this.base = base;
        this.http = http;
        this.headers = headers;
        this.timeout = timeout;
    }

    /** This client, sending these headers too (name, value, name, value...). */
    public ApiClient withHeaders(String... nameValue) {
        List<String> all = new java.util.ArrayList<>(headers);
        all.addAll(List.of(nameValue));
        return new ApiClient(base, http, List.copyOf(all), timeout);
    }

    /** This client, sending {@code Authorization: Bearer <token>}. */
    public ApiClient bearer(String token) {
        return withHeaders("Authorization", "Bearer " + token);
    }

    public Reply get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, null);
    }

    public Reply delete(String path) throws IOException, InterruptedException {
        return send("DELETE", path, null, null);
    }

    public Reply postJson(String path, String json) throws IOException, InterruptedException {
        return send("POST", path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    public Reply postParts(String path, List<Part> parts) throws IOException, InterruptedException {
        return send("POST", path, multipartType(), multipart(parts));
    }

    public Reply send(String method, String path, String contentType, byte[] body)
            throws IOException, InterruptedException {
        try {
            return sendAsync(method, path, contentType, body).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                if (!staleConnection(io)) {
                    throw io;
                }
                // The JDK client sent this request on a kept-alive connection that the server had closed
                // (its right, e.g. after refusing a previous request's body with 413): no byte of reply
                // came. The same request on a fresh connection must get its answer.
                try {
                    return sendAsync(method, path, contentType, body).join();
                } catch (java.util.concurrent.CompletionException again) {
                    if (again.getCause() instanceof IOException io2) {
                        throw io2;
                    }
                    throw again;
                }
            }
            throw e;
        }
    }

    private static boolean staleConnection(IOException e) {
        String message = String.valueOf(e.getMessage());
        return !(e instanceof java.net.http.HttpTimeoutException)
                && (message.contains("header parser received no bytes") || message.contains("Connection reset"));
    }

    public CompletableFuture<Reply> sendAsync(String method, String path, String contentType, byte[] body) {
        return sendAsync(
                method,
                path,
                contentType,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    }

    /**
     * The body with {@code Transfer-Encoding: chunked} (no Content-Length): the server parses it as
     * it streams in, never as one strict entity.
     */
    public Reply sendChunked(String method, String path, String contentType, byte[] body) {
        return sendAsync(
                        method,
                        path,
                        contentType,
                        HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
                .join();
    }

    private CompletableFuture<Reply> sendAsync(
            String method, String path, String contentType, HttpRequest.BodyPublisher body) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).method(method, body);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.size(); i += 2) {
            request.header(headers.get(i), headers.get(i + 1));
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(ApiClient::toReply);
    }

    private static Reply toReply(HttpResponse<String> response) {
        String type = response.headers().firstValue("Content-Type").orElse("");
        JsonNode json;
        try {
            json = response.body().isEmpty() ? null : JSON.readTree(response.body());
        } catch (IOException notJson) {
            json = null;
        }
        return new Reply(response.statusCode(), type, response.body(), json, response.headers());
    }

    public static String multipartType() {
        return multipartType(BOUNDARY);
    }

    public static String multipartType(String boundary) {
        return "multipart/form-data; boundary=" + boundary;
    }

    public static byte[] multipart(List<Part> parts) {
        return multipart(BOUNDARY, parts);
    }

    /** A multipart/form-data body with {@code boundary} (Pekko's parser cost per MB depends on its length). */
    public static byte[] multipart(String boundary, List<Part> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Part p : parts) {
            StringBuilder head = new StringBuilder("--")
                    .append(boundary)
                    .append("\r\n")
                    .append("Content-Disposition: form-data; name=\"")
                    .append(p.name())
                    .append('"');
            if (p.filename() != null) {
                head.append("; filename=\"").append(p.filename()).append('"');
            }
            head.append("\r\n");
            if (p.contentType() != null) {
                head.append("Content-Type: ").append(p.contentType()).append("\r\n");
            }
            head.append("\r\n");
            out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
            out.writeBytes(p.bytes());
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
