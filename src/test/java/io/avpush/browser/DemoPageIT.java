package io.avpush.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.avpush.testing.InProcessNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The demo page tells a newcomer why they see a black video and what to do: when the browser
 * reaches the page but not the server's media addresses (an SSH tunnel, a container's published
 * port, a VM; here {@link TurnLab}'s viewer host, which reaches avpush only through a TCP
 * forwarder), and when the server ends the viewer (its session deleted, or the viewer alone). What
 * is checked is the message the page shows (it logs it to the console as well, "avpush demo: ...");
 * the page is built on the JS viewer module, whose messages it shows with its own advice added.
 *
 * <p>Needs root, socat, coturn (the lab starts it; no TURN is configured here) and Chromium, inside
 * {@code scripts/in-netns.sh}: {@code scripts/in-netns.sh mvn -o -B -Pall test -Dtest=DemoPageIT}.
 */
@Tag("browser")
class DemoPageIT {

    private static final String SAYS = "avpush demo: ";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aBrowserThatCannotReachTheMediaAddressesIsToldWhyAndWhatToTry() throws Exception {
        MeasurePage.require(TurnLab.missingReason());
        MeasurePage.require(HeadlessChromium.missingReason());
        Path dir = Files.createTempDirectory("avpush-demo-page-unreachable");
        try (InProcessNode server = InProcessNode.start(Duration.ofSeconds(20), "0.0.0.0", "");
                TurnLab lab = TurnLab.start(dir, "lt-cred-mech\nuser=nobody:unused", server.port())) {
            assertFalse(
                    lab.viewerCanConnect(TurnLab.AVPUSH_ADDRESS, server.port()),
                    "the viewer host must not reach avpush");
            long opened = System.nanoTime();
            try (BrowserProcess page = HeadlessChromium.open(
                    lab.viewerBaseUrl() + "/",
                    dir.resolve("chromium.log"),
                    SAYS,
                    "no-progress-lines",
                    lab.onViewerHost(),
                    List.of())) {
                String message = page.result().get(60, TimeUnit.SECONDS);
                double seconds = (System.nanoTime() - opened) / 1e9;
                System.out.printf("DemoPageIT: after %.1f s the page says: %s%n", seconds, message);
                assertTrue(message.startsWith("No media connection to the avpush server within 10 s"), message);
                assertTrue(
                        message.contains(TurnLab.AVPUSH_ADDRESS + " (host)"),
                        "names the addresses the server offered: " + message);
                assertTrue(message.contains("This browser reached none of them"), message);
                assertTrue(
                        message.contains("open this page at an address of that machine this browser can reach"),
                        message);
                assertTrue(message.contains("TURN server (avpush.webrtc.ice-servers"), message);
                assertTrue(
                        seconds >= 10 && seconds < 40,
                        "said within ~10 s of the answer, not at once nor much later: " + seconds);
            }
        }
    }

    @Test
    void aViewerTheServerEndsIsToldSo() throws Exception {
        MeasurePage.require(HeadlessChromium.missingReason());
        Path dir = Files.createTempDirectory("avpush-demo-page-ended");
        try (InProcessNode server = InProcessNode.start(Duration.ofSeconds(20), "0.0.0.0", "")) {
            // In scripts/in-netns.sh's namespace the page and the media both go over 10.203.0.1.
            String base = "http://10.203.0.1:" + server.port();
            try (BrowserProcess page = HeadlessChromium.open(
                    base + "/", dir.resolve("chromium.log"), SAYS, "no-progress-lines", List.of(), List.of())) {
                String session = awaitConnectedViewer(base, Duration.ofSeconds(30));
                assertFalse(
                        page.result().isDone(),
                        "the page said something before the server ended it: "
                                + page.result().getNow(""));
                HttpResponse<String> deleted = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(base + "/api/sessions/" + session))
                                        .DELETE()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertEquals(204, deleted.statusCode(), deleted.body());
                String message = page.result().get(20, TimeUnit.SECONDS);
                System.out.println("DemoPageIT: after DELETE of its session the page says: " + message);
                assertTrue(
                        message.startsWith("The avpush server ended this viewer")
                                || message.startsWith("Session " + session + " has ended"),
                        message);
                assertTrue(message.contains("reload the page") || message.contains("Reload the page"), message);
            }
        }
    }

    @Test
    void aViewerTheServerDeletesIsToldSoAtOnceNotWhenTheConnectionTimesOut() throws Exception {
        MeasurePage.require(HeadlessChromium.missingReason());
        Path dir = Files.createTempDirectory("avpush-demo-page-viewer-deleted");
        try (InProcessNode server = InProcessNode.start(Duration.ofSeconds(20), "0.0.0.0", "")) {
            String base = "http://10.203.0.1:" + server.port();
            try (BrowserProcess page = HeadlessChromium.open(
                    base + "/", dir.resolve("chromium.log"), SAYS, "no-progress-lines", List.of(), List.of())) {
                String session = awaitConnectedViewer(base, Duration.ofSeconds(30));
                // The page's viewer is its session's first: its id is the session's with "-v1" (as every offer reply
                // shows).
                long deleting = System.nanoTime();
                HttpResponse<String> deleted = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(
                                                base + "/api/sessions/" + session + "/viewers/" + session + "-v1"))
                                        .DELETE()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertEquals(204, deleted.statusCode(), deleted.body());
                String message = page.result().get(20, TimeUnit.SECONDS);
                double seconds = (System.nanoTime() - deleting) / 1e9;
                System.out.printf(
                        "DemoPageIT: %.1f s after DELETE of its viewer the page says: %s%n", seconds, message);
                // Whichever comes first, the server closing the connection or the page's status call not
                // counting the viewer, the page says the same thing and offers the same way back.
                assertTrue(
                        message.startsWith("The avpush server ended this viewer: it closed this viewer's connection")
                                || message.startsWith(
                                        "The avpush server ended this viewer: it no longer counts this viewer"),
                        message);
                assertTrue(message.contains("Press Connect to watch again"), message);
                assertTrue(seconds < 5, "told within 5 s (a quiet connection fails only after about 30 s): " + seconds);
            }
        }
    }

    /** The id of the one session on the node once its viewer is connected. */
    private static String awaitConnectedViewer(String base, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            JsonNode sessions = JSON.readTree(http.send(
                                    HttpRequest.newBuilder(URI.create(base + "/api/sessions"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body())
                    .path("sessions");
            if (sessions.size() == 1) {
                String id = sessions.get(0).asText();
                last = http.send(
                                HttpRequest.newBuilder(URI.create(base + "/api/sessions/" + id))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
                if (JSON.readTree(last).path("viewersConnected").asInt() == 1) {
                    return id;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "the demo page's viewer did not connect within " + timeout.toSeconds() + " s: " + last);
    }
}
