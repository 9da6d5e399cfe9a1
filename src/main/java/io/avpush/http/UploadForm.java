package io.avpush.http;

import io.avpush.session.UploadedMedia;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.Multipart;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;

/**
 * The multipart form of a segment or an idle loop: part {@code audio} (a WAV), and frames either
 * as part {@code video} (raw frames back to back, described by the fields {@code width},
 * {@code height}, {@code format} = bgr24 | rgba) or as repeated parts {@code frame} (one PNG or
 * JPEG image each, in the order sent); field {@code fps} is the frames' rate.
 */
final class UploadForm {

  private static final Set<String> SINGLE_PARTS = Set.of("audio", "video", "width", "height", "fps", "format");

  private UploadForm() {}

  /** Form fields (width, height, fps, format) are short text; a longer one is refused as it arrives. */
  static final long MAX_FIELD_BYTES = 1024;

  private static final Set<String> MEDIA_PARTS = Set.of("audio", "video", "frame");

  /**
   * Every part's name and bytes, in the order sent, within {@code timeout} for the whole body: an
   * unknown part is refused before its bytes are read, a field longer than {@link #MAX_FIELD_BYTES}
   * as soon as it passes that (StreamLimitReachedException), a body that stalls by the timeout.
   */
  static CompletionStage<List<Map.Entry<String, ByteString>>> collect(
      Multipart.FormData form, Duration timeout, Materializer materializer) {
    return form.getParts()
        .completionTimeout(timeout)
        .<Map.Entry<String, ByteString>>mapAsync(1, part -> {
          String name = part.getName();
          if (!name.equals("frame") && !SINGLE_PARTS.contains(name)) {
            throw unknownPart(name);
          }
          long max = MEDIA_PARTS.contains(name) ? Long.MAX_VALUE : MAX_FIELD_BYTES;
          return part.getEntity().getDataBytes()
              .limitWeighted(max, b -> (long) b.size())
              .runFold(ByteString.emptyByteString(), ByteString::concat, materializer)
              .thenApply(bytes -> Map.entry(name, bytes));
        })
        .runFold(new ArrayList<Map.Entry<String, ByteString>>(), (acc, e) -> {
          acc.add(e);
          return acc;
        }, materializer)
        .thenApply(list -> (List<Map.Entry<String, ByteString>>) list);
  }

  private static IllegalArgumentException unknownPart(String name) {
    return new IllegalArgumentException("unknown form part '" + name + "'; a segment has parts 'audio' (WAV), "
        + "'video' (raw frames) with fields 'width', 'height', 'format' (bgr24 or rgba), or repeated parts "
        + "'frame' (PNG or JPEG, one frame each), and field 'fps'");
  }

  /** The upload the parts describe; a message for the client when a part is unknown, repeated or malformed. */
  static UploadedMedia toUpload(List<Map.Entry<String, ByteString>> parts) {
    Map<String, ByteString> single = new HashMap<>();
    List<byte[]> images = new ArrayList<>();
    for (Map.Entry<String, ByteString> part : parts) {
      String name = part.getKey();
      if (name.equals("frame")) {
        images.add(part.getValue().toArray());
      } else if (!SINGLE_PARTS.contains(name)) {
        throw unknownPart(name);
      } else if (single.put(name, part.getValue()) != null) {
        throw new IllegalArgumentException("form part '" + name + "' is sent twice; send it once"
            + (name.equals("video") ? " (raw frames back to back), or send images as repeated parts 'frame'" : ""));
      }
    }
    return new UploadedMedia(
        bytes(single.get("audio")),
        bytes(single.get("video")),
        intField(single, "width"),
        intField(single, "height"),
        text(single.get("fps")),
        text(single.get("format")),
        images);
  }

  private static byte[] bytes(ByteString b) {
    return b == null ? null : b.toArray();
  }

  private static String text(ByteString b) {
    return b == null ? null : b.utf8String();
  }

  private static Integer intField(Map<String, ByteString> parts, String name) {
    ByteString b = parts.get(name);
    if (b == null) {
      return null;
    }
    String s = b.utf8String().trim();
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
