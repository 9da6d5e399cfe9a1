package io.avpush.http;

import io.avpush.http.UploadForm.Received;
import io.avpush.playout.UploadedMedia;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The upload a form's parts describe ({@link UploadForm} reads them): one WAV, raw frames with
 * their size and format, or images, and the rate. A part that is unknown, sent twice, empty or
 * malformed is refused with a message that says what to send instead.
 */
final class UploadParts {
    private UploadParts() {}

    static final Set<String> SINGLE_PARTS = Set.of("audio", "video", "width", "height", "fps", "format");

    static final Set<String> MEDIA_PARTS = Set.of("audio", "video", "frame");

    static IllegalArgumentException sentTwice(String name) {
        return new IllegalArgumentException("form part '" + name + "' is sent twice; send it once"
                + (name.equals("video") ? " (raw frames back to back), or send images as repeated parts 'frame'" : ""));
    }

    static IllegalArgumentException unknownPart(String name) {
        return new IllegalArgumentException("unknown form part '" + name + "'; a segment has parts 'audio' (WAV), "
                + "'video' (raw frames) with fields 'width', 'height', 'format' (bgr24 or rgba), or repeated parts "
                + "'frame' (PNG or JPEG, one frame each), and field 'fps'");
    }

    /** The upload the parts describe; a message for the client when a part is unknown, repeated, empty or malformed. */
    static UploadedMedia toUpload(List<Received> parts) {
        Map<String, Received> single = new HashMap<>();
        List<byte[]> images = new ArrayList<>();
        for (Received part : parts) {
            String name = part.name();
            if (name.equals("frame")) {
                if (part.length() == 0) {
                    throw new IllegalArgumentException("part 'frame' #" + (images.size() + 1) + " is sent but empty; "
                            + "put one PNG or JPEG image in each part 'frame'");
                }
                images.add(part.exact());
            } else if (!SINGLE_PARTS.contains(name)) {
                throw unknownPart(name);
            } else if (single.put(name, requireContent(part)) != null) {
                throw sentTwice(name);
            }
        }
        Received audio = single.get("audio");
        Received video = single.get("video");
        return new UploadedMedia(
                audio == null ? null : audio.exact(),
                video == null ? null : video.chunks(),
                intField(single, "width"),
                intField(single, "height"),
                text(single, "fps"),
                text(single, "format"),
                images);
    }

    /**
     * The part, when it holds something: an empty one is refused, naming it and what belongs in it
     * (leaving a part out is how a client asks for the default, or for audio or frames only).
     */
    private static Received requireContent(Received part) {
        String name = part.name();
        boolean field = !MEDIA_PARTS.contains(name);
        if (field ? !BodyText.utf8(part.byteString(), "field '" + name + "'").isBlank() : part.size() > 0) {
            return part;
        }
        String instead = switch (name) {
            case "audio" -> "put the WAV file in it, or leave the part out for a segment of frames only";
            case "video" ->
                "put the raw frames in it, or leave the part out (and fields 'width', 'height', 'format') "
                        + "for a segment of audio only";
            case "fps" -> "send a rate like 30 or 30000/1001, or leave the field out for the session's rate";
            case "format" -> "send bgr24 or rgba, or leave the field out for bgr24";
            default -> "send the frames' " + name + " in pixels, or leave the field out for the session's";
        };
        throw new IllegalArgumentException((field ? "field '" : "part '") + name + "' is sent but empty; " + instead);
    }

    private static String text(Map<String, Received> parts, String name) {
        Received b = parts.get(name);
        return b == null ? null : BodyText.utf8(b.byteString(), "field '" + name + "'");
    }

    private static Integer intField(Map<String, Received> parts, String name) {
        Received b = parts.get(name);
        if (b == null) {
            return null;
        }
        String s = text(parts, name).trim();
        try {
            int v = Integer.parseInt(s);
            if (v <= 0 || v > 16384) {
                throw new IllegalArgumentException("field '" + name + "' = " + v + " is out of range (1..16384)");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("field '" + name + "' = '" + s + "' is not a whole number");
        }
    }
}
