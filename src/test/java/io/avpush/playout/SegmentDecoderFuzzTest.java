package io.avpush.playout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.api.ApiError;
import io.avpush.media.FrameRate;
import io.avpush.media.Fuzz;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Thousands of adversarial uploads at the segment decoder, as the upload route hands them over:
 * broken WAVs, frame bytes that are not whole frames, zero, negative or huge width/height,
 * absurd frame rates. Each becomes a playable segment or a 4xx {@link ApiError} with a message;
 * no other exception.
 */
class SegmentDecoderFuzzTest {

    private static final int CASES = 3_000;
    private static final int W = 32;
    private static final int H = 24;
    private static final int FRAME_BYTES = W * H * 3;
    private static final FrameRate SESSION_FPS = new FrameRate(30, 1);
    private static final long MAX_DURATION_NS = 5_000_000_000L;

    @Test
    void everyUploadBecomesAPlayableSegmentOrA4xx() {
        Fuzz fuzz = Fuzz.seeded("SegmentDecoder");
        int accepted = 0;
        for (int i = 0; i < CASES; i++) {
            Random r = fuzz.random(i);
            UploadedMedia upload = upload(r);
            try {
                Segment s = SegmentDecoder.decode("s" + i, upload, SESSION_FPS, W, H, MAX_DURATION_NS, 0x000000);
                accepted++;
                assertTrue(s.frameTicks() > 0, fuzz.where(i) + "a segment of " + s.frameTicks() + " ticks");
                assertTrue(s.pcm48k().length > 0 || s.framesI420().length > 0, fuzz.where(i) + "an empty segment");
                assertTrue(
                        SESSION_FPS.frameStartNs(s.frameTicks()) <= MAX_DURATION_NS + 40_000_000L,
                        fuzz.where(i) + "longer than the limit: " + s.frameTicks() + " ticks");
                for (byte[] frame : s.framesI420()) {
                    assertEquals(W * H * 3 / 2, frame.length, fuzz.where(i) + "frame size");
                }
            } catch (SegmentRejectedException e) {
                int status = e.error().status();
                assertTrue(status == 400 || status == 413, fuzz.where(i) + "status " + status + ": " + e.error());
                assertTrue(e.error().message() != null && !e.error().message().isBlank(), fuzz.where(i) + "no message");
            } catch (RuntimeException | Error e) {
                throw new AssertionError(fuzz.where(i) + "decoding " + describe(upload) + " threw " + e, e);
            }
        }
        System.out.printf(
                "fuzz SegmentDecoder: %d uploads, %d accepted, %d refused%n", CASES, accepted, CASES - accepted);
        assertTrue(
                accepted > CASES / 50 && accepted < CASES,
                "the generator makes both good and bad uploads: " + accepted);
    }

    private static UploadedMedia upload(Random r) {
        byte[] wav = switch (r.nextInt(4)) {
            case 0 -> null;
            case 1 -> r.nextBoolean() ? new byte[0] : Fuzz.bytes(r, 64);
            default -> Fuzz.wav(r);
        };
        byte[] video = switch (r.nextInt(5)) {
            case 0 -> null;
            case 1 -> new byte[0];
            case 2 -> new byte[r.nextInt(3 * FRAME_BYTES)];
            default -> new byte[FRAME_BYTES * r.nextInt(40)];
        };
        Integer width = r.nextInt(3) == 0 ? null : r.nextInt(3) == 0 ? (int) Fuzz.nastyNumber(r) : W;
        Integer height = r.nextInt(3) == 0 ? null : r.nextInt(3) == 0 ? (int) Fuzz.nastyNumber(r) : H;
        String fps = r.nextInt(3) == 0 ? null : Fuzz.fps(r);
        return new UploadedMedia(wav, video, width, height, fps);
    }

    private static String describe(UploadedMedia u) {
        return String.format(
                "wav %s bytes, video %s bytes, %sx%s, fps '%s'",
                u.wav() == null ? "no" : u.wav().length,
                u.video() == null ? "no" : u.video().length(),
                u.width(),
                u.height(),
                u.fps());
    }
}
