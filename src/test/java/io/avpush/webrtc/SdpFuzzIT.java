package io.avpush.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.media.Fuzz;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Adversarial SDP at the real libwebrtc (through {@link SessionMedia#connect}, as the offer route
 * hands it over): a real browser-like offer mutated by a seeded generator (missing, duplicated or
 * absurd m-lines, attributes with huge numbers and strings, binary junk, truncation, reordering).
 * Each offer is answered or refused with an {@link SdpException} within seconds; the JVM does not
 * crash; afterwards a genuine viewer of the same output receives frames. Needs a network namespace
 * (scripts/in-netns.sh) for the genuine viewer. With {@code -Davpush.fuzz.trace=FILE} each offer
 * is written to FILE before it is sent, so a native crash leaves behind the offer that caused it
 * (that is how the '%' crash in {@link io.avpush.session.OfferCheck} was found).
 */
@Tag("webrtc")
class SdpFuzzIT {

    private static final int CASES = 1_000;

    @Test
    void absurdOffersAreRefusedReadablyAndTheEngineStillStreams() throws Exception {
        Fuzz fuzz = Fuzz.seeded("SDP at libwebrtc");
        TreeMap<String, Integer> outcomes = new TreeMap<>();
        try (WebRtcEngine engine = WebRtcEngine.start(List.of());
                SessionMedia output = engine.createMedia("sdp-fuzz");
                LightViewer.Client client = new LightViewer.Client()) {
            String base;
            try (LightViewer template = new LightViewer(client)) {
                base = template.offer(Duration.ofSeconds(10));
            }
            for (int i = 0; i < CASES; i++) {
                String sdp = mutate(fuzz.random(i), base);
                if (System.getProperty("avpush.fuzz.trace") != null) {
                    java.nio.file.Files.writeString(
                            java.nio.file.Path.of(System.getProperty("avpush.fuzz.trace")),
                            sdp,
                            java.nio.charset.StandardCharsets.UTF_8);
                }
                CompletableFuture<Viewer> answered =
                        output.connect("f" + i, sdp, (id, s) -> {}).toCompletableFuture();
                String outcome;
                try {
                    Viewer viewer = answered.get(15, TimeUnit.SECONDS);
                    assertTrue(viewer.answerSdp().startsWith("v=0"), fuzz.where(i) + viewer.answerSdp());
                    outcome = "answered";
                    output.disconnect(viewer.id());
                } catch (TimeoutException e) {
                    throw new AssertionError(fuzz.where(i) + "no answer and no refusal within 15 s for:\n" + sdp, e);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    assertTrue(
                            cause instanceof SdpException, fuzz.where(i) + "refused with " + cause + " for:\n" + sdp);
                    assertTrue(!cause.getMessage().isBlank(), fuzz.where(i) + "no message");
                    outcome = cause.getMessage().startsWith("offer SDP rejected by WebRTC")
                            ? "refused by libwebrtc"
                            : cause.getMessage().startsWith("offer SDP")
                                    ? "refused before libwebrtc"
                                    : "refused: " + cause.getMessage().split(":")[0];
                }
                outcomes.merge(outcome, 1, Integer::sum);
            }
            System.out.println("fuzz SDP at libwebrtc: " + CASES + " offers: " + outcomes);
            awaitTrue(() -> output.viewerCount() == 0, Duration.ofSeconds(5));

            try (LightViewer genuine = new LightViewer(client)) {
                Viewer viewer = output.connect("genuine", genuine.offer(Duration.ofSeconds(10)), (id, s) -> {})
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
                genuine.accept(viewer.answerSdp(), Duration.ofSeconds(10));
                assertTrue(genuine.awaitConnected(Duration.ofSeconds(10)), "a genuine viewer connects after the fuzz");
                try (MarkerPushLoop pushLoop = new MarkerPushLoop(output, 30, 10_000_000_000L).start()) {
                    awaitTrue(() -> genuine.frames() >= 15, Duration.ofSeconds(5));
                }
                assertEquals(1, output.viewerCount());
            }
        }
        assertTrue(
                outcomes.size() >= 2,
                "the generator makes offers that are answered and offers that are refused: " + outcomes);
    }

    /** The offer with one to four mutations. */
    static String mutate(Random r, String offer) {
        List<String> lines = new ArrayList<>(Arrays.asList(offer.split("\r\n")));
        int mutations = 1 + r.nextInt(4);
        for (int m = 0; m < mutations && !lines.isEmpty(); m++) {
            int at = r.nextInt(lines.size());
            switch (r.nextInt(12)) {
                case 0 ->
                    lines.removeIf(l -> l.startsWith(Fuzz.pick(
                            r, "m=audio", "m=video", "a=fingerprint", "a=ice-ufrag", "a=ice-pwd", "a=group", "a=mid")));
                case 1 -> {
                    // a media section duplicated many times
                    int start = indexOf(lines, Fuzz.pick(r, "m=audio", "m=video"));
                    if (start >= 0) {
                        int end = start + 1;
                        while (end < lines.size() && !lines.get(end).startsWith("m=")) {
                            end++;
                        }
                        List<String> section = new ArrayList<>(lines.subList(start, end));
                        for (int k = r.nextInt(60); k > 0; k--) {
                            lines.addAll(section);
                        }
                    }
                }
                case 2 ->
                    lines.add(
                            at,
                            "a=rtpmap:" + Fuzz.nastyNumber(r) + " "
                                    + Fuzz.pick(r, "opus", "VP8", "H264", "x".repeat(r.nextInt(5000))) + "/"
                                    + Fuzz.nastyNumber(r));
                case 3 ->
                    lines.add(
                            at,
                            "a=ssrc:" + Fuzz.nastyNumber(r) + " " + Fuzz.pick(r, "cname:", "msid:", "x")
                                    + "y".repeat(r.nextInt(3000)));
                case 4 ->
                    lines.add(
                            at,
                            Fuzz.pick(
                                            r,
                                            "a=ice-ufrag:",
                                            "a=ice-pwd:",
                                            "a=fingerprint:sha-256 ",
                                            "a=msid:",
                                            "a=mid:",
                                            "a=setup:",
                                            "a=extmap:")
                                    + Fuzz.pick(
                                            r,
                                            "",
                                            "z".repeat(r.nextInt(20_000)),
                                            String.valueOf(Fuzz.nastyNumber(r)),
                                            "\u0000\u00ff"));
                case 5 -> lines.set(at, lines.get(at).replaceAll("[0-9]+", String.valueOf(Fuzz.nastyNumber(r))));
                case 6 ->
                    lines.add(
                            at,
                            "m=" + Fuzz.pick(r, "audio", "video", "application", "text") + " " + Fuzz.nastyNumber(r)
                                    + " " + Fuzz.pick(r, "UDP/TLS/RTP/SAVPF", "RTP/AVP", "TCP/MRCPv2", "") + " "
                                    + Fuzz.nastyNumber(r));
                case 7 ->
                    lines.add(
                            at,
                            new String(Fuzz.bytes(r, 200), java.nio.charset.StandardCharsets.ISO_8859_1)
                                    .replace("\r", "")
                                    .replace("\n", ""));
                case 8 -> lines.subList(at, lines.size()).clear();
                case 9 -> java.util.Collections.shuffle(lines.subList(1, lines.size()), r);
                case 10 ->
                    lines.add(
                            at,
                            Fuzz.pick(
                                            r,
                                            "b=AS:",
                                            "b=TIAS:",
                                            "a=max-message-size:",
                                            "a=framerate:",
                                            "a=rid:",
                                            "a=simulcast:send ")
                                    + Fuzz.pick(r, "-1", "1e309", "99999999999999999999", "0", "~;~;~"));
                default -> lines.remove(at);
            }
        }
        return String.join("\r\n", lines) + "\r\n";
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private static void awaitTrue(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within " + timeout);
            Thread.sleep(20);
        }
    }
}
