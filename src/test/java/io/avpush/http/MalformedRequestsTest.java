package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.avpush.testing.ApiClient;
import io.avpush.testing.ApiClient.Part;
import io.avpush.testing.ApiClient.Reply;
import io.avpush.testing.SyntheticMedia;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a client gets for each kind of request that cannot be read: multipart parts without a
 * usable Content-Disposition, part headers too long or too many, parts sent empty, bodies and
 * fields that are not UTF-8, JSON with more than one value, stream control messages of the wrong
 * types. Each is a 4xx with JSON {error, message} saying what is wrong and what to send, whether
 * the server parsed the body whole (sent with Content-Length) or as it streamed in (chunked).
 */
class MalformedRequestsTest {

    private static final int W = 32;
    private static final int H = 24;
    private static final String BOUNDARY = "malformed-test-boundary";
    private static final String MULTIPART = "multipart/form-data; boundary=" + BOUNDARY;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final FakeTransports outputs = new FakeTransports();

    @RegisterExtension
    static final TestServer.PerClass server = TestServer.perClass(
            "malformed", outputs, "avpush.media { default-width = " + W + ", default-height = " + H + " }");

    private static final ApiClient api = server.client;

    /** A part: its header lines (without the blank line that ends them), then its bytes. */
    private static byte[] part(String headers, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--" + BOUNDARY + "\r\n" + headers + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(content);
        out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private static byte[] part(String headers, String content) {
        return part(headers, content.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static byte[] form(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private static byte[] wav() {
        return SyntheticMedia.wav(SyntheticMedia.tone(0.2), 48_000);
    }

    private static final String AUDIO = "Content-Disposition: form-data; name=\"audio\"; filename=\"a.wav\"";

    static Stream<Arguments> malformedForms() {
        byte[] frames = SyntheticMedia.greyFrames(W, H, 2, 90);
        return Stream.of(
                Arguments.of(
                        "a part without Content-Disposition",
                        form(part("Content-Type: application/octet-stream", wav())),
                        400,
                        "bad_request",
                        List.of(
                                "must contain `Content-Disposition` header with `name` parameter",
                                "Content-Disposition: form-data; name=\"audio\"")),
                Arguments.of(
                        "a Content-Disposition without name",
                        form(part("Content-Disposition: form-data; filename=\"a.wav\"", wav())),
                        400,
                        "bad_request",
                        List.of("`Content-Disposition` header with `name` parameter")),
                Arguments.of(
                        "a name without a value",
                        form(part("Content-Disposition: form-data; name", wav())),
                        400,
                        "bad_request",
                        List.of("`Content-Disposition` header with `name` parameter")),
                Arguments.of(
                        "a part header line of 100 KB",
                        form(part(AUDIO + "\r\nX-Note: " + "n".repeat(100_000), wav())),
                        431,
                        "headers_too_large",
                        List.of("header value exceeds the configured limit", "Content-Disposition: form-data")),
                Arguments.of(
                        "a part header name of 100 KB",
                        form(part("X" + "n".repeat(100_000) + ": 1\r\n" + AUDIO, wav())),
                        431,
                        "headers_too_large",
                        List.of("header name exceeds the configured limit")),
                Arguments.of(
                        "a part header line without a colon",
                        form(part(AUDIO + "\r\nNo Colon Here", wav())),
                        400,
                        "bad_request",
                        List.of("multipart/form-data body is malformed", "header name")),
                Arguments.of(
                        "a part with 200 header lines",
                        form(part(AUDIO + "\r\nX-A: 1".repeat(200), wav())),
                        400,
                        "bad_request",
                        List.of("more than the configured limit of 64 headers")),
                Arguments.of(
                        "an empty part 'audio'",
                        form(part(AUDIO, new byte[0])),
                        400,
                        "bad_request",
                        List.of("part 'audio' is sent but empty", "leave the part out for a segment of frames only")),
                Arguments.of(
                        "an empty part 'video'",
                        form(part(AUDIO, wav()), part("Content-Disposition: form-data; name=\"video\"", new byte[0])),
                        400,
                        "bad_request",
                        List.of("part 'video' is sent but empty", "for a segment of audio only")),
                Arguments.of(
                        "an empty part 'frame'",
                        form(part("Content-Disposition: form-data; name=\"frame\"", new byte[0])),
                        400,
                        "bad_request",
                        List.of("part 'frame' #1 is sent but empty")),
                Arguments.of(
                        "an empty field 'fps'",
                        form(part(AUDIO, wav()), part("Content-Disposition: form-data; name=\"fps\"", "")),
                        400,
                        "bad_request",
                        List.of("field 'fps' is sent but empty", "leave the field out")),
                Arguments.of(
                        "a field that is not UTF-8",
                        form(
                                part("Content-Disposition: form-data; name=\"video\"", frames),
                                part("Content-Disposition: form-data; name=\"width\"", new byte[] {'3', (byte) 0xff})),
                        400,
                        "bad_request",
                        List.of("field 'width' is not valid UTF-8: byte 1 (ff)")),
                Arguments.of(
                        "a body cut short",
                        java.util.Arrays.copyOf(form(part(AUDIO, wav())), 300),
                        400,
                        "bad_request",
                        List.of("Unexpected end of multipart entity")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedForms")
    void aMalformedUploadIsA4xxThatSaysWhatIsWrong(
            String what, byte[] body, int status, String error, List<String> says) throws Exception {
        String id = api.postJson("/api/sessions", "{}").text("sessionId");
        for (String path : List.of("/api/sessions/" + id + "/segments", "/api/sessions/" + id + "/idle")) {
            String method = path.endsWith("idle") ? "PUT" : "POST";
            assertError(what + ", whole", api.send(method, path, MULTIPART, body), status, error, says);
            assertError(what + ", chunked", api.sendChunked(method, path, MULTIPART, body), status, error, says);
        }
        JsonNode status2 = api.get("/api/sessions/" + id).json();
        assertEquals(0, status2.get("queued").size(), "nothing was queued: " + status2);
        Reply good = api.postParts("/api/sessions/" + id + "/segments", List.of(Part.file("audio", "a.wav", wav())));
        assertEquals(202, good.status(), "the session takes the next good upload: " + good);
        api.delete("/api/sessions/" + id);
    }

    @Test
    void aMultipartContentTypeWithoutAUsableBoundaryIsA400AndAnotherTypeA415() throws Exception {
        String segments = "/api/sessions/" + api.postJson("/api/sessions", "{}").text("sessionId") + "/segments";
        byte[] body = form(part(AUDIO, wav()));
        assertError(
                "no boundary",
                api.send("POST", segments, "multipart/form-data", body),
                400,
                "bad_request",
                List.of("no boundary", "multipart/form-data; boundary="));
        assertError(
                "empty boundary",
                api.send("POST", segments, "multipart/form-data; boundary=\"\"", body),
                400,
                "bad_request",
                List.of("'boundary' parameter of multipart Content-Type must be non-empty"));
        assertError(
                "JSON",
                api.send("POST", segments, "application/json", "{}".getBytes()),
                415,
                "unsupported_media_type",
                List.of("'application/json'", "multipart/form-data"));
    }

    @Test
    void jsonThatIsNotUtf8OrNotOneValueIsA400() throws Exception {
        String offer = "/api/sessions/" + api.postJson("/api/sessions", "{}").text("sessionId") + "/offer";
        byte[] broken = "{\"fps\": \"3\u00ff0\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertError(
                "create, not UTF-8",
                api.send("POST", "/api/sessions", "application/json", broken),
                400,
                "bad_request",
                List.of("the JSON body is not valid UTF-8: byte 10 (ff)", "send text encoded as UTF-8"));
        byte[] brokenSdp = "{\"sdp\": \"v=0\\r\\ns=\u00e9\\r\\n\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertError(
                "offer, not UTF-8",
                api.send("POST", offer, "application/json", brokenSdp),
                400,
                "bad_request",
                List.of("the JSON body is not valid UTF-8: byte 18 (e9)"));
        assertError(
                "trailing text",
                api.postJson("/api/sessions", "{\"fps\": 30} {\"fps\": 60}"),
                400,
                "bad_request",
                List.of("body is not a session request", "Trailing token"));
        assertError(
                "a field twice",
                api.postJson("/api/sessions", "{\"fps\": 30, \"fps\": 60}"),
                400,
                "bad_request",
                List.of("Duplicate field 'fps'"));
        assertError(
                "a fraction for a whole number",
                api.postJson("/api/sessions", "{\"width\": 31.5}"),
                400,
                "bad_request",
                List.of("body is not a session request"));
        // application/json is UTF-8 (RFC 8259): Pekko HTTP ignores a charset parameter on it.
        assertError(
                "UTF-16",
                api.send(
                        "POST",
                        "/api/sessions",
                        "application/json; charset=utf-16",
                        "{}".getBytes(StandardCharsets.UTF_16)),
                400,
                "bad_request",
                List.of("the JSON body is not valid UTF-8: byte 0 (fe)"));
        assertEquals(
                201,
                api.send("POST", "/api/sessions", "application/json; charset=UTF-8", "{\"fps\": \"25\"}".getBytes())
                        .status(),
                "a body that declares UTF-8 is read");
    }

    @Test
    void aWhepOfferThatIsNotUtf8IsA400AndAnotherCharsetA415() throws Exception {
        byte[] offer = "v=0\r\ns=caf\u00e9\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertError(
                "WHEP",
                api.send("POST", "/whep", "application/sdp", offer),
                400,
                "bad_request",
                List.of("the SDP offer is not valid UTF-8: byte 10 (e9)"));
        assertError(
                "WHEP, Latin-1",
                api.send("POST", "/whep", "application/sdp; charset=iso-8859-1", offer),
                415,
                "unsupported_media_type",
                List.of("charset=ISO-8859-1", "the SDP offer is read as UTF-8"));
    }

    @Test
    void aStreamControlMessageOfTheWrongTypesIsAnErrorThatSaysSoAndOneNotUtf8Closes1007() throws Exception {
        String id = api.postJson("/api/sessions", "{}").text("sessionId");
        String path = "/api/sessions/" + id + "/stream";
        record Case(byte[] message, String says) {}
        List<Case> cases = List.of(
                new Case("{\"type\": \"close\"} {\"type\": \"open\"}".getBytes(StandardCharsets.UTF_8), "not JSON"),
                new Case(
                        "{\"type\": \"open\", \"sampleRate\": \"16000\"}".getBytes(StandardCharsets.UTF_8),
                        "\"sampleRate\" is \"16000\"; a segment with audio declares its rate"),
                new Case(
                        "{\"type\": \"open\", \"sampleRate\": 16000.5}".getBytes(StandardCharsets.UTF_8),
                        "\"sampleRate\" is 16000.5"),
                new Case(
                        "{\"type\": \"open\", \"sampleRate\": 16000, \"audio\": \"yes\"}"
                                .getBytes(StandardCharsets.UTF_8),
                        "\"audio\" is \"yes\"; send true or false"),
                new Case("{\"type\": 1}".getBytes(StandardCharsets.UTF_8), "unknown control message type"),
                new Case(
                        ("{\"type\": \"open\", \"x\": \"" + "x".repeat(70_000) + "\"}")
                                .getBytes(StandardCharsets.UTF_8),
                        "a text message exceeds 65536 characters"));
        for (Case c : cases) {
            try (RawWebSocket ws = new RawWebSocket(api.base(), path)) {
                ws.send(1, c.message());
                RawWebSocket.Frame frame = ws.next(Duration.ofSeconds(20));
                assertEquals(1, frame.opcode(), "an error message before the close, for " + c.says() + ": " + frame);
                JsonNode error = JSON.readTree(frame.text());
                assertEquals("error", error.path("type").asText(), frame.text());
                assertTrue(
                        error.path("error").asText().equals("bad_request")
                                || error.path("error").asText().equals("too_large"),
                        frame.text());
                assertTrue(
                        error.path("message").asText().contains(c.says()),
                        "message lacks '" + c.says() + "': " + frame.text());
                assertEquals(
                        8, ws.next(Duration.ofSeconds(20)).opcode(), "the server closes the socket after the error");
            }
        }
        // A text frame that is not UTF-8 never reaches avpush: Pekko HTTP fails the connection with
        // close code 1007 (invalid frame payload data), as RFC 6455 section 8.1 requires.
        try (RawWebSocket ws = new RawWebSocket(api.base(), path)) {
            ws.send(
                    1,
                    "{\"type\": \"open\", \"sampleRate\": 16000, \"x\": \"\u00ff\"}"
                            .getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(
                    1007,
                    ws.next(Duration.ofSeconds(20)).closeCode(),
                    "a text frame that is not UTF-8 closes with 1007");
        }
        try (StreamClient.Socket ws = new StreamClient.Socket(api.base(), id)) {
            ws.text("{\"type\": \"open\", \"sampleRate\": 16000}");
            assertEquals("opened", ws.next().path("type").asText(), "the session takes the next producer");
        }
    }

    @Test
    void messagesSentAfterARefusedOneAreNotActedOn() throws Exception {
        String id = api.postJson("/api/sessions", "{}").text("sessionId");
        try (RawWebSocket ws = new RawWebSocket(api.base(), "/api/sessions/" + id + "/stream")) {
            ws.send(1, "{\"type\": \"open\", \"sampleRate\": 16000}".getBytes(StandardCharsets.UTF_8));
            assertEquals(
                    "opened",
                    JSON.readTree(ws.next(Duration.ofSeconds(20)).text())
                            .path("type")
                            .asText());
            // A message large enough to arrive streamed: its refusal completes asynchronously, while the
            // messages behind it are already read.
            ws.send(2, StreamClient.message(9, 1, 0, new byte[200_000]).array());
            for (int i = 0; i < 5; i++) {
                ws.send(1, "{\"type\": \"close\"}".getBytes(StandardCharsets.UTF_8));
            }
            RawWebSocket.Frame error = ws.next(Duration.ofSeconds(20));
            assertTrue(error.text() != null && error.text().contains("kind) is 9"), "the refusal: " + error);
            RawWebSocket.Frame next = ws.next(Duration.ofSeconds(20));
            assertEquals(
                    8,
                    next.opcode(),
                    "after the refusal the socket closes, the closes sent after it are not answered: " + next);
        }
    }

    private static void assertError(String what, Reply r, int status, String error, List<String> says) {
        assertEquals(status, r.status(), what + ": " + r);
        assertTrue(r.contentType().startsWith("application/json") && r.json() != null, what + ": not JSON: " + r);
        assertEquals(error, r.text("error"), what + ": " + r);
        String message = r.text("message");
        for (String fragment : says) {
            assertTrue(
                    message != null && message.contains(fragment), what + ": message lacks '" + fragment + "': " + r);
        }
    }
}
