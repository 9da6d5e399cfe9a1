package io.avpush.playout;

import io.avpush.api.ApiError;
import io.avpush.media.DecodedAudio;
import io.avpush.media.FrameConverter;
import io.avpush.media.FrameFit;
import io.avpush.media.FrameImages;
import io.avpush.media.FrameRate;
import io.avpush.media.ImageFiles;
import io.avpush.media.MarkerClip;
import io.avpush.media.MediaFormatException;
import io.avpush.media.Resampler;
import io.avpush.media.TestSignal;
import io.avpush.media.WavDecoder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns an upload into a {@link Segment}: validates every part against the session, decodes the
 * WAV and resamples it to 48 kHz mono, converts raw frames or PNG/JPEG images to I420 (see
 * {@link FrameImages}). Pure; runs off the actors (on the blocking dispatcher).
 * Audio is the master: the segment lasts as long as its audio (frames are held or dropped to fit,
 * see {@link FrameFit}); a segment without audio lasts as long as its frames, in silence.
 */
public final class SegmentDecoder {

    private SegmentDecoder() {}

    public static Segment decode(
            String segmentId,
            UploadedMedia upload,
            FrameRate sessionFps,
            int width,
            int height,
            long maxDurationNs,
            int backgroundRgb)
            throws SegmentRejectedException {
        return decode(segmentId, upload, sessionFps, width, height, maxDurationNs, backgroundRgb, FrameConverter.JAVA);
    }

    /** As above, with frames converted to I420 by {@code converter} (libyuv on the WebRTC transport). */
    public static Segment decode(
            String segmentId,
            UploadedMedia upload,
            FrameRate sessionFps,
            int width,
            int height,
            long maxDurationNs,
            int backgroundRgb,
            FrameConverter converter)
            throws SegmentRejectedException {
        boolean hasAudio = upload.wav() != null && upload.wav().length > 0;
        boolean hasVideo = upload.videoLength() > 0;
        boolean hasImages = upload.images() != null && !upload.images().isEmpty();
        if (!hasAudio && !hasVideo && !hasImages) {
            throw reject("a segment needs a part 'audio' (a WAV file) and/or frames: a part 'video' (raw bgr24 or rgba "
                    + "frames with form fields width, height, format, fps) or repeated parts 'frame' (PNG or JPEG images, "
                    + "one frame each, in order); this upload has neither");
        }
        FrameRate uploadFps = sessionFps;
        if (upload.fps() != null && !upload.fps().isBlank()) {
            try {
                uploadFps = FrameRate.parse(upload.fps(), "field 'fps'");
            } catch (IllegalArgumentException e) {
                throw reject(e.getMessage() + ", or leave the field out for the session's rate (" + sessionFps + ")");
            }
        }
        byte[][] frames = new byte[0][];
        try {
            if (hasVideo && hasImages) {
                throw reject("send frames either as part 'video' (raw frames) or as parts 'frame' (images), not both");
            }
            if (hasImages) {
                if (upload.width() != null || upload.height() != null || upload.format() != null) {
                    throw reject(
                            "fields 'width', 'height' and 'format' describe raw frames in part 'video'; image frames "
                                    + "(parts 'frame') carry their own size and format: leave these fields out");
                }
                requireFramesFit(upload.images().size(), uploadFps, maxDurationNs);
                frames = FrameImages.fromImages(upload.images(), width, height, backgroundRgb, converter);
            } else if (hasVideo) {
                FrameImages.RawFormat format = FrameImages.RawFormat.parse(upload.format());
                int w = upload.width() == null ? width : upload.width();
                int h = upload.height() == null ? height : upload.height();
                requireRawFrames(upload, format, w, h, width, height);
                requireFramesFit(
                        upload.videoLength() / ((long) w * h * format.bytesPerPixel()), uploadFps, maxDurationNs);
                frames = format == FrameImages.RawFormat.BGR24
                        ? bgr24ToI420(upload.video(), w, h, converter)
                        : FrameImages.fromRaw(upload.video().toArray(), format, w, h, backgroundRgb);
            }
        } catch (MediaFormatException e) {
            throw reject(e.getMessage());
        }
        short[] pcm = new short[0];
        long frameTicks;
        if (hasAudio) {
            DecodedAudio audio;
            try {
                audio = WavDecoder.decode(upload.wav());
            } catch (MediaFormatException e) {
                throw reject(e.getMessage());
            }
            long durationNs = (long) audio.frameCount() * 1_000_000_000L / audio.sampleRate();
            if (durationNs > maxDurationNs) {
                throw new SegmentRejectedException(ApiError.tooLarge(String.format(
                        "part 'audio' lasts %.1f s; the longest segment accepted is %.1f s (avpush.limits.max-segment-duration)",
                        durationNs / 1e9, maxDurationNs / 1e9)));
            }
            pcm = Resampler.toMono48k(audio);
            if (pcm.length == 0) {
                throw reject("part 'audio' holds no samples");
            }
            frameTicks = FrameFit.frameTicks(pcm.length, sessionFps);
        } else {
            long videoNs = uploadFps.frameStartNs(frames.length);
            frameTicks = sessionFps.frameIndexAtNs(videoNs - 1) + 1;
        }
        return new Segment(segmentId, pcm, frames, width, height, uploadFps, frameTicks);
    }

    /**
     * Refuses part 'video' unless it holds whole raw frames of the session's size, saying what was
     * assumed for the fields left out (the session's size, bgr24) and what to send instead: an image
     * file belongs in parts 'frame', frames of another size need their 'width' and 'height'.
     */
    private static void requireRawFrames(
            UploadedMedia upload, FrameImages.RawFormat format, int w, int h, int width, int height)
            throws SegmentRejectedException, MediaFormatException {
        long videoLength = upload.videoLength();
        long frameBytes = (long) w * h * format.bytesPerPixel();
        String image = ImageFiles.kind(upload.video().head(8));
        if (image != null && videoLength % frameBytes != 0) {
            throw reject(String.format(
                    "part 'video' holds a %s image (%d bytes), but it takes raw frames back to back; "
                            + "send images as parts 'frame' instead, one image a frame, in order (curl: -F frame=@face_001.png "
                            + "-F frame=@face_002.png ...), or convert them to raw bgr24 frames",
                    image, videoLength));
        }
        if (w != width || h != height) {
            throw reject(String.format(
                    "frames are %dx%d%s but this session streams %dx%d; send frames of the "
                            + "session's size (or create the session with width=%d and height=%d, or send PNG/JPEG parts "
                            + "'frame', which are scaled to fit)",
                    w, h, assumed(upload, width, height, false), width, height, w, h));
        }
        if (videoLength % frameBytes != 0) {
            String rgba = upload.format() == null && videoLength % ((long) w * h * 4) == 0
                    ? String.format(
                            "; they would be %d whole rgba frames: if so, send field format=rgba",
                            videoLength / ((long) w * h * 4))
                    : "";
            String fields = upload.width() == null || upload.height() == null
                    ? "; if the frames have another size, say so with fields 'width' and 'height', else cut the part to whole frames"
                    : "; cut the part to whole frames";
            throw reject(String.format(
                    "part 'video' has %d bytes, which is not a whole number of %dx%d %s frames "
                            + "(%d bytes each)%s: %d whole frames and %d bytes left over%s%s",
                    videoLength,
                    w,
                    h,
                    format,
                    frameBytes,
                    assumed(upload, width, height, true),
                    videoLength / frameBytes,
                    videoLength % frameBytes,
                    rgba,
                    fields));
        }
    }

    /**
     * Converts whole bgr24 frames to I420, each copied from the chunks it arrived in into one native
     * buffer, where {@code converter} (libyuv) reads it: the only copy of the raw frames after the
     * upload's own chunks.
     */
    private static byte[][] bgr24ToI420(RawVideo video, int width, int height, FrameConverter converter) {
        int frameBytes = Math.multiplyExact(width * height, 3);
        byte[][] frames = new byte[Math.toIntExact(video.length() / frameBytes)][];
        ByteBuffer frame = ByteBuffer.allocateDirect(frameBytes);
        for (int i = 0; i < frames.length; i++) {
            frame.clear();
            video.copyTo((long) i * frameBytes, frame);
            frames[i] = converter.toI420(frame.flip(), width, height);
        }
        return frames;
    }

    /**
     * What was taken for the raw frames' fields left out, as " (assumed: ...)", or "" when every
     * field was sent. Example: " (assumed: the session's size 512x512, as no 'width' and 'height'
     * were sent; bgr24, as no 'format' was sent)".
     */
    private static String assumed(UploadedMedia upload, int width, int height, boolean withFormat) {
        List<String> taken = new ArrayList<>();
        if (upload.width() == null && upload.height() == null) {
            taken.add("the session's size " + width + "x" + height + ", as no 'width' and 'height' were sent");
        } else if (upload.width() == null) {
            taken.add("the session's width " + width + ", as no 'width' was sent");
        } else if (upload.height() == null) {
            taken.add("the session's height " + height + ", as no 'height' was sent");
        }
        if (withFormat && upload.format() == null) {
            taken.add("bgr24, as no 'format' was sent");
        }
        return taken.isEmpty() ? "" : " (assumed: " + String.join("; ", taken) + ")";
    }

    /** Refuses frames longer than the longest segment before decoding them (PNGs of a flat picture inflate 1000-fold). */
    private static void requireFramesFit(long frameCount, FrameRate uploadFps, long maxDurationNs)
            throws SegmentRejectedException {
        long videoNs = uploadFps.frameStartNs(frameCount);
        if (videoNs > maxDurationNs) {
            throw new SegmentRejectedException(ApiError.tooLarge(String.format(
                    "the %d frames last %.1f s at %s fps; the longest segment accepted is %.1f s "
                            + "(avpush.limits.max-segment-duration)",
                    frameCount, videoNs / 1e9, uploadFps, maxDurationNs / 1e9)));
        }
    }

    private record DemoKey(FrameRate fps, int width, int height, double seconds) {}

    /** Demo clips are immutable and large (10 s of 512x512 is ~100 MB): made once per shape, shared. */
    private static final Map<DemoKey, MarkerClip> DEMO_CLIPS =
            Collections.synchronizedMap(new LinkedHashMap<>(8, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<DemoKey, MarkerClip> eldest) {
                    return size() > 4;
                }
            });

    /**
     * The built-in marker segment of the demo: a flash (100 ms, {@link TestSignal#flashFramesFor}) with a
     * beep each second, a moving bar, a quiet murmur.
     */
    public static Segment demo(String segmentId, FrameRate sessionFps, int width, int height, double seconds) {
        MarkerClip clip = DEMO_CLIPS.computeIfAbsent(
                new DemoKey(sessionFps, width, height, seconds),
                k -> TestSignal.markers(
                        width, height, sessionFps, seconds, 1.0, TestSignal.flashFramesFor(sessionFps)));
        return new Segment(
                segmentId,
                clip.pcm48k(),
                clip.i420Frames(),
                width,
                height,
                sessionFps,
                FrameFit.frameTicks(clip.pcm48k().length, sessionFps));
    }

    private static SegmentRejectedException reject(String message) {
        return new SegmentRejectedException(ApiError.badRequest(message));
    }
}
