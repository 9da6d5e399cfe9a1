package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.testing.ApiClient;
import io.avpush.testing.ApiClient.Part;
import io.avpush.testing.SyntheticMedia;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Uploads from clients that stall, hang up or send too much, over raw sockets on loopback: each
 * gets its JSON error without the server waiting for, or holding, the rest of the body, and a
 * session that streams meanwhile keeps streaming every sample.
 */
class UploadLimitsTest {

    private static final int W = 64;
    private static final int H = 64;
    private static final long MAX_UPLOAD = 2L * 1024 * 1024;
    private static final String BOUNDARY = "avpush-test-boundary-7f3a";

    private static final FakeTransports outputs = new FakeTransports();

    @RegisterExtension
    static final TestServer.PerClass server = TestServer.perClass(
            "upload-limits",
            outputs,
            String.join(
                    "\n",
                    "avpush.media { default-width = " + W + ", default-height = " + H + " }",
                    "avpush.limits { max-upload-bytes = " + MAX_UPLOAD + ", upload-timeout = 1 s }",
                    "pekko.http.server.request-timeout = 2 s"));

    private static final ApiClient api = server.client;

    @Test
    void anUploadThatStallsHalfwayTimesOutWith408AndAnotherSessionStreamsOn() throws Exception {
        String streaming = api.postJson("/api/sessions", "{}").text("sessionId");
        assertEquals(
                200,
                api.postJson("/api/sessions/" + streaming + "/offer", "{\"sdp\": \"v=0\\r\\n\"}")
                        .status());
        assertEquals(
                202,
                api.postParts(
                                "/api/sessions/" + streaming + "/segments",
                                List.of(Part.file(
                                        "audio", "a.wav", SyntheticMedia.wav(SyntheticMedia.tone(2.0), 48_000))))
                        .status());

        String stalled = api.postJson("/api/sessions", "{}").text("sessionId");
        byte[] body = ApiClient.multipart(
                List.of(Part.file("audio", "a.wav", SyntheticMedia.wav(SyntheticMedia.tone(1.0), 48_000))));
        long sent = System.nanoTime();
        RawHttp.Reply reply;
        try (RawHttp client = new RawHttp(api.base())) {
            client.head("POST", "/api/sessions/" + stalled + "/segments", ApiClient.multipartType(), body.length)
                    .send(Arrays.copyOf(body, body.length / 2));
            reply = client.awaitReply(Duration.ofSeconds(15));
        }
        double waitedS = (System.nanoTime() - sent) / 1e9;
        System.out.printf("upload stalled halfway: %s after %.1f s%n", reply, waitedS);
        assertEquals(408, reply.status(), reply.toString());
        assertEquals("upload_timeout", reply.text("error"), reply.toString());
        assertTrue(reply.text("message").contains("avpush.limits.upload-timeout"), reply.toString());
        assertTrue(reply.connectionClosed(), "the half-sent request's connection is closed: " + reply);
        assertEquals(0, api.get("/api/sessions/" + stalled).json().get("queued").size(), "nothing of it was queued");

        Await.until(
                () -> api.get("/api/sessions/" + streaming)
                                .json()
                                .get("segmentsPlayed")
                                .asLong()
                        == 1,
                Duration.ofSeconds(8),
                "the streaming session's segment plays to its end");
        long audible = outputs.of(streaming).audibleSamples();
        assertTrue(
                audible >= 0.95 * 96_000 && audible <= 96_000,
                "every sample of the other session was pushed: " + audible);
        assertEquals(
                202,
                api.postParts(
                                "/api/sessions/" + stalled + "/segments",
                                List.of(Part.file(
                                        "audio", "a.wav", SyntheticMedia.wav(SyntheticMedia.tone(0.5), 48_000))))
                        .status(),
                "the session whose upload stalled takes the next one");
    }

    @Test
    void aJsonBodyThatStallsGetsA408() throws Exception {
        try (RawHttp client = new RawHttp(api.base())) {
            client.head("POST", "/api/sessions", "application/json", 100)
                    .send("{\"fps\": ".getBytes(StandardCharsets.ISO_8859_1));
            RawHttp.Reply reply = client.awaitReply(Duration.ofSeconds(15));
            System.out.println("JSON body stalled: " + reply);
            assertEquals(408, reply.status(), reply.toString());
            assertEquals("upload_timeout", reply.text("error"), reply.toString());
            assertTrue(reply.text("message").contains("avpush.limits.upload-timeout"), reply.toString());
        }
    }

    @Test
    void aJsonBodyALittleOverTheLimitIsReadTo413AndTheConnectionServesTheNextRequest() throws Exception {
        byte[] body = ("{\"fps\": 30, \"note\": \"" + "a".repeat(83_000) + "\"}").getBytes(StandardCharsets.ISO_8859_1);
        try (RawHttp client = new RawHttp(api.base())) {
            // In two halves, as a body larger than a socket buffer arrives: the server must not answer
            // and close after the first, while the client is still sending (its reset can then wipe the
            // 413 out of the client's receive buffer unread).
            client.head("POST", "/api/sessions", "application/json", body.length)
                    .send(Arrays.copyOf(body, body.length / 2));
            Thread.sleep(300);
            client.send(Arrays.copyOfRange(body, body.length / 2, body.length));
            RawHttp.Reply refused = client.awaitReply(Duration.ofSeconds(10), false);
            assertEquals(413, refused.status(), refused.toString());
            assertEquals("too_large", refused.text("error"), refused.toString());
            assertTrue(refused.text("message").contains("at most 65536 bytes"), refused.toString());
            // The body was read, not cut off: the same connection takes the corrected request.
            byte[] corrected = "{\"fps\": 30}".getBytes(StandardCharsets.ISO_8859_1);
            client.head("POST", "/api/sessions", "application/json", corrected.length)
                    .send(corrected);
            RawHttp.Reply created = client.awaitReply(Duration.ofSeconds(10), false);
            assertEquals(201, created.status(), created.toString());
            assertTrue(created.text("sessionId") != null, created.toString());
        }
    }

    @Test
    void aJsonBodyDeclaredOverTheLimitThatStallsStillGetsA413() throws Exception {
        try (RawHttp client = new RawHttp(api.base())) {
            client.head("POST", "/api/sessions", "application/json", 200_000)
                    .send("{\"fps\": ".getBytes(StandardCharsets.ISO_8859_1));
            RawHttp.Reply reply = client.awaitReply(Duration.ofSeconds(15));
            assertEquals(413, reply.status(), reply.toString());
            assertTrue(reply.text("message").contains("at most 65536 bytes"), reply.toString());
            assertTrue(
                    reply.connectionClosed(),
                    "a body that never came leaves nothing to read the next request from: " + reply);
        }
    }

    @Test
    void anOversizedUploadIsRefusedBeforeItsBodyIsSent() throws Exception {
        String id = api.postJson("/api/sessions", "{}").text("sessionId");
        try (RawHttp client = new RawHttp(api.base())) {
            client.head("POST", "/api/sessions/" + id + "/segments", ApiClient.multipartType(), 1L << 30);
            RawHttp.Reply reply = client.awaitReply(Duration.ofSeconds(10));
            System.out.println("1 GiB declared, nothing sent: " + reply);
            assertEquals(413, reply.status(), reply.toString());
            assertEquals("too_large", reply.text("error"));
            assertTrue(reply.text("message").contains("max-upload-bytes"), reply.toString());
        }
    }

    @Test
    void aChunkedUploadIsCutOffOnceItPassesTheLimit() throws Exception {
        String id = api.postJson("/api/sessions", "{}").text("sessionId");
        try (RawHttp client = new RawHttp(api.base())) {
            client.send(("POST /api/sessions/" + id + "/segments HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                            + ApiClient.multipartType() + "\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            client.send(chunk(
                    ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"video\"; filename=\"v\"\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1)));
            byte[] block = new byte[256 * 1024];
            RawHttp.Reply reply = null;
            for (long sent = 0; sent <= MAX_UPLOAD + block.length && reply == null; sent += block.length) {
                client.send(chunk(block));
            }
            reply = client.awaitReply(Duration.ofSeconds(10));
            System.out.println("chunked upload past the limit: " + reply);
            assertEquals(413, reply.status(), reply.toString());
            assertTrue(reply.text("message").contains("max-upload-bytes"), reply.toString());
        }
    }

    @Test
    void anUnknownPartIsRefusedBeforeItsBytesArrive() throws Exception {
        String id = api.postJson("/api/sessions", "{}").text("sessionId");
        try (RawHttp client = new RawHttp(api.base())) {
            client.head("POST", "/api/sessions/" + id + "/segments", ApiClient.multipartType(), 1_000_000)
                    .send(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"subtitles\"\r\n\r\n"
                                    + "hello ".repeat(2000))
                            .getBytes(StandardCharsets.ISO_8859_1));
            RawHttp.Reply reply = client.awaitReply(Duration.ofSeconds(10));
            assertEquals(400, reply.status(), reply.toString());
            assertTrue(reply.text("message").contains("unknown form part 'subtitles'"), reply.toString());
        }
    }

    @Test
    void anOversizedFormFieldIs413() throws Exception {
        String id = api.postJson("/api/sessions", "{}").text("sessionId");
        ApiClient.Reply reply = api.postParts(
                "/api/sessions/" + id + "/segments",
                List.of(
                        Part.field("width", "6".repeat(5_000)),
                        Part.file("video", "v", SyntheticMedia.greyFrames(W, H, 1, 90))));
        assertEquals(413, reply.status(), reply.toString());
        assertTrue(reply.text("message").contains("exceeds 1024 bytes"), reply.toString());
    }

    @Test
    void aClientThatHangsUpMidUploadLeavesTheServerServing() throws Exception {
        String id = api.postJson("/api/sessions", "{}").text("sessionId");
        byte[] body = ApiClient.multipart(
                List.of(Part.file("audio", "a.wav", SyntheticMedia.wav(SyntheticMedia.tone(1.0), 48_000))));
        for (int i = 0; i < 5; i++) {
            try (RawHttp client = new RawHttp(api.base())) {
                client.head("POST", "/api/sessions/" + id + "/segments", ApiClient.multipartType(), body.length)
                        .send(Arrays.copyOf(body, body.length / 3));
            }
        }
        ApiClient.Reply ok = api.postParts(
                "/api/sessions/" + id + "/segments",
                List.of(Part.file("audio", "a.wav", SyntheticMedia.wav(SyntheticMedia.tone(0.5), 48_000))));
        assertEquals(202, ok.status(), ok.toString());
        assertEquals(
                1,
                api.get("/api/sessions/" + id).json().get("queued").size()
                        + (api.get("/api/sessions/" + id).json().get("playing").isNull() ? 0 : 1),
                "only the whole upload was taken");
    }

    private static byte[] chunk(byte[] data) {
        byte[] head = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = Arrays.copyOf(head, head.length + data.length + 2);
        System.arraycopy(data, 0, out, head.length, data.length);
        out[out.length - 2] = '\r';
        out[out.length - 1] = '\n';
        return out;
    }
}
