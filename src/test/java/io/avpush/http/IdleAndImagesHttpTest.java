package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.avpush.testing.ApiClient;
import io.avpush.testing.ApiClient.Part;
import io.avpush.testing.ApiClient.Reply;
import io.avpush.testing.SyntheticMedia;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Image frames and idle loops over real HTTP (the real Guardian, sessions and pacer, a counting
 * transport): what a client sends, the status and JSON it gets back, and that a bad upload changes
 * nothing.
 */
class IdleAndImagesHttpTest {

    private static final int W = 64;
    private static final int H = 64;

    private static final FakeTransports outputs = new FakeTransports();

    @RegisterExtension
    static final TestServer.PerClass server = TestServer.perClass(
            "idle-images",
            outputs,
            String.join(
                    "\n",
                    "avpush.media { default-width = " + W + ", default-height = " + H + ", background = \"#102030\" }",
                    "avpush.limits.max-upload-bytes = 2 MiB"));

    private static final ApiClient api = server.client;

    @Test
    void segmentsTakePngAndJpegFramesAndRgbaVideo() throws Exception {
        String base = "/api/sessions/" + createSession();
        Reply images = api.postParts(
                base + "/segments",
                List.of(
                        audio(0.5),
                        Part.file("frame", "0.png", SyntheticMedia.image(W / 2, H / 2, 0x804020, "png")),
                        Part.file("frame", "1.jpg", SyntheticMedia.image(W / 2, H / 2, 0x208040, "jpeg")),
                        Part.file("frame", "2.png", SyntheticMedia.image(W / 2, H / 2, 0x204080, "png")),
                        Part.field("fps", "30")));
        assertEquals(202, images.status(), images.toString());
        assertEquals(3, images.json().get("frames").asInt(), images.toString());
        assertEquals(15, images.json().get("frameTicks").asInt(), images.toString());

        Reply rgba = api.postParts(
                base + "/segments",
                List.of(
                        Part.file("video", "v.rgba", new byte[W * H * 4 * 2]), Part.field("format", "rgba"),
                        Part.field("width", "" + W), Part.field("height", "" + H)));
        assertEquals(202, rgba.status(), rgba.toString());
        assertEquals(2, rgba.json().get("frames").asInt(), rgba.toString());
    }

    @Test
    void badFramesAre400WithWhatIsWrong() throws Exception {
        String base = "/api/sessions/" + createSession();
        for (String path : List.of(base + "/segments", base + "/idle")) {
            String method = path.endsWith("/idle") ? "PUT" : "POST";
            byte[] png = SyntheticMedia.image(W, H, 0x808080, "png");
            assertError(
                    send(
                            method,
                            path,
                            Part.file("frame", "a.png", png),
                            Part.file("frame", "b.png", "not an image".getBytes())),
                    400,
                    "bad_request",
                    "part 'frame' #2 (12 bytes) is not a PNG or JPEG image");
            assertError(
                    send(
                            method,
                            path,
                            Part.file("frame", "a.png", png),
                            Part.file("frame", "b.png", SyntheticMedia.image(W, 32, 0, "png"))),
                    400,
                    "bad_request",
                    "part 'frame' #2 is 64x32 but #1 is 64x64",
                    "one size");
            byte[] cut = java.util.Arrays.copyOf(png, png.length / 2);
            assertError(
                    send(method, path, Part.file("frame", "a.png", cut)),
                    400,
                    "bad_request",
                    "part 'frame' #1",
                    "cannot be decoded");
            assertError(
                    send(method, path, Part.file("frame", "a.gif", SyntheticMedia.image(W, H, 0, "gif"))),
                    400,
                    "bad_request",
                    "is a gif image; frames must be PNG or JPEG");
            assertError(
                    send(
                            method,
                            path,
                            Part.file("frame", "a.png", png),
                            Part.file("video", "v.bgr", SyntheticMedia.greyFrames(W, H, 1, 9))),
                    400,
                    "bad_request",
                    "not both");
            assertError(
                    send(method, path, Part.file("frame", "a.png", png), Part.field("width", "" + W)),
                    400,
                    "bad_request",
                    "leave these fields out");
            assertError(
                    send(method, path, Part.file("video", "v", new byte[W * H * 4 + 4]), Part.field("format", "rgba")),
                    400,
                    "bad_request",
                    "not a whole number of 64x64 rgba frames (16384 bytes each)",
                    "4 bytes left over");
            assertError(
                    send(method, path, Part.file("video", "v", new byte[W * H * 3]), Part.field("format", "yuv420p")),
                    400,
                    "bad_request",
                    "'format' = 'yuv420p'",
                    "'bgr24'",
                    "'rgba'");
            assertError(
                    send(
                            method,
                            path,
                            Part.file("video", "v", SyntheticMedia.greyFrames(32, 32, 1, 9)),
                            Part.field("width", "32"),
                            Part.field("height", "32")),
                    400,
                    "bad_request",
                    "frames are 32x32",
                    "streams 64x64");
            assertError(send(method, path, audio(0.2), audio(0.2)), 400, "bad_request", "part 'audio' is sent twice");
            byte[] frame = SyntheticMedia.greyFrames(W, H, 1, 9);
            assertError(
                    send(
                            method,
                            path,
                            Part.file("video", "a", frame),
                            Part.file("video", "b", frame),
                            Part.file("video", "c", frame)),
                    400,
                    "bad_request",
                    "part 'video' is sent twice",
                    "raw frames back to back");
            List<Part> tooLong = new ArrayList<>();
            byte[] tiny = SyntheticMedia.image(2, 2, 0, "png");
            for (int i = 0; i < 121; i++) {
                tooLong.add(Part.file("frame", i + ".png", tiny));
            }
            tooLong.add(Part.field("fps", "1"));
            assertError(
                    api.send(method, path, ApiClient.multipartType(), ApiClient.multipart(tooLong)),
                    413,
                    "too_large",
                    "121 frames last 121.0 s",
                    "max-segment-duration");
        }
        JsonNode status = api.get(base).json();
        assertEquals(0, status.get("queued").size(), status.toString());
        assertTrue(status.get("idle").isNull(), status.toString());
    }

    @Test
    void anIdleLoopIsSetShownAndCleared() throws Exception {
        String id = createSession();
        String base = "/api/sessions/" + id;
        assertTrue(api.get(base).json().get("idle").isNull(), "no loop at first");

        Reply set = api.send(
                "PUT",
                base + "/idle",
                ApiClient.multipartType(),
                ApiClient.multipart(List.of(
                        audio(1.0), Part.file("frame", "a.png", SyntheticMedia.image(W, H, 0x405060, "png")),
                        Part.file("frame", "b.png", SyntheticMedia.image(W, H, 0x506070, "png")),
                                Part.field("fps", "2"))));
        assertEquals(200, set.status(), set.toString());
        JsonNode loop = set.json();
        String loopId = loop.get("loopId").asText();
        assertTrue(loopId.startsWith(id + "-idle"), set.toString());
        assertEquals(2, loop.get("frames").asInt());
        assertEquals(30, loop.get("frameTicks").asInt());
        assertEquals(1000.0, loop.get("durationMs").asDouble(), 0.01);
        assertTrue(loop.get("audio").asBoolean());

        Await.until(
                () -> outputs.of(id).audibleSamples() > 48_000,
                Duration.ofSeconds(10),
                "the loop's audio plays (more than one pass)");
        JsonNode idle = api.get(base).json().get("idle");
        assertEquals(loopId, idle.get("loopId").asText(), idle.toString());
        assertTrue(idle.get("playing").asBoolean(), idle.toString());
        assertTrue(idle.get("passes").asLong() >= 2, idle.toString());
        assertEquals("idle", api.get(base).text("state"));

        assertEquals(204, api.delete(base + "/idle").status());
        assertTrue(api.get(base).json().get("idle").isNull(), "cleared");
        assertEquals(204, api.delete(base + "/idle").status(), "clearing twice is fine");

        assertError(
                api.send("PUT", base + "/idle", ApiClient.multipartType(), ApiClient.multipart(List.of(audio(0.5)))),
                400,
                "bad_request",
                "an idle loop needs frames");
        assertError(
                api.send("PUT", base + "/idle", "application/json", "{}".getBytes()),
                415,
                "unsupported_media_type",
                "multipart/form-data");
        assertError(
                api.send("PUT", base + "/idle", ApiClient.multipartType(), ApiClient.multipart(List.of())),
                400,
                "bad_request",
                "this upload has neither");
        assertError(api.get(base + "/idle"), 405, "method_not_allowed", "PUT", "DELETE");
        assertError(
                api.send(
                        "PUT",
                        "/api/sessions/nosuchsess/idle",
                        ApiClient.multipartType(),
                        ApiClient.multipart(
                                List.of(Part.file("frame", "a.png", SyntheticMedia.image(W, H, 0, "png"))))),
                404,
                "session_not_found");
        assertError(api.delete("/api/sessions/nosuchsess/idle"), 404, "session_not_found");
        assertTrue(api.get(base).json().get("idle").isNull(), "no bad upload became the loop");
    }

    // ---- helpers ----

    private static String createSession() throws Exception {
        Reply r = api.postJson("/api/sessions", "{}");
        assertEquals(201, r.status(), r.toString());
        String id = r.text("sessionId");
        assertEquals(
                200,
                api.postJson("/api/sessions/" + id + "/offer", "{\"sdp\": \"v=0\\r\\n\"}")
                        .status());
        return id;
    }

    private static Reply send(String method, String path, Part... parts) throws Exception {
        return api.send(method, path, ApiClient.multipartType(), ApiClient.multipart(List.of(parts)));
    }

    private static Part audio(double seconds) {
        return Part.file("audio", "speech.wav", SyntheticMedia.wav(SyntheticMedia.tone(seconds), 48_000));
    }

    private static void assertError(Reply r, int status, String error, String... messageContains) {
        assertEquals(status, r.status(), r.toString());
        assertTrue(r.contentType().startsWith("application/json"), "not JSON: " + r);
        assertNotNull(r.json(), "body is not JSON: " + r);
        String message = r.text("message");
        assertFalse(message == null || message.isBlank(), "no message: " + r);
        assertEquals(error, r.text("error"), r.toString());
        for (String fragment : messageContains) {
            assertTrue(message.contains(fragment), "message lacks '" + fragment + "': " + message);
        }
    }
}
