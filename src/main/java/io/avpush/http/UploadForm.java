package io.avpush.http;

import io.avpush.session.ApiError;
import io.avpush.session.Failures;
import io.avpush.session.UploadedMedia;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.Multipart;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.util.ByteString;

/**
 * The multipart form of a segment or an idle loop: part {@code audio} (a WAV), and frames either
 * as part {@code video} (raw frames back to back, described by the fields {@code width},
 * {@code height}, {@code format} = bgr24 | rgba) or as repeated parts {@code frame} (one PNG or
 * JPEG image each, in the order sent); field {@code fps} is the frames' rate. A part that is sent
 * is not empty: leaving {@code audio} out makes a frames-only segment, an empty {@code audio} part
 * is a mistake the client is told about.
 */
final class UploadForm {

  private static final Set<String> SINGLE_PARTS = Set.of("audio", "video", "width", "height", "fps", "format");

  private UploadForm() {}

  /** Form fields (width, height, fps, format) are short text; a longer one is refused as it arrives. */
  static final long MAX_FIELD_BYTES = 1024;

  private static final Set<String> MEDIA_PARTS = Set.of("audio", "video", "frame");

  private static final String FORM_ADVICE = "send parts 'audio' (WAV) and/or 'video' (raw frames) with fields "
      + "'width', 'height', 'fps', or repeated parts 'frame', each starting with a header line like "
      + "Content-Disposition: form-data; name=\"audio\"; filename=\"a.wav\", separated by the boundary "
      + "that the Content-Type header names (multipart/form-data; boundary=...)";

  /**
   * Every part's name and bytes, in the order sent; fails (see {@link #refusal}) when the body is
   * not a multipart/form-data body that can be read whole within {@code timeout}.
   */
  static CompletionStage<List<Map.Entry<String, ByteString>>> read(
      HttpEntity entity, Duration timeout, Materializer materializer) {
    // Always parsed as a stream, one way for every body: Pekko parses a body that arrived whole
    // (strict) on another path, which fails differently (a body cut short there is an
    // IllegalStateException).
    HttpEntity streamed = HttpEntities.createIndefiniteLength(entity.getContentType(), entity.getDataBytes());
    // Through thenCompose: the unmarshaller throws some of its refusals (a bad boundary) at once.
    return CompletableFuture.completedFuture(streamed)
        .thenCompose(e -> Unmarshaller.entityToMultipartFormData().unmarshal(e, materializer))
        .thenCompose(form -> collect(form, timeout, materializer));
  }

  /**
   * Why {@link #read} failed, as the client's error (size, time, form), or empty when the failure
   * is not the client's.
   */
  static Optional<ApiError> refusal(Throwable failure, HttpEntity entity, long maxUploadBytes, Duration uploadTimeout) {
    Throwable cause = Failures.cause(failure);
    if (cause instanceof EntityStreamSizeException) {
      return Optional.of(ApiError.tooLarge("the request body exceeds " + maxUploadBytes
          + " bytes (avpush.limits.max-upload-bytes); send a shorter segment"));
    }
    if (cause instanceof TimeoutException) {
      return Optional.of(new ApiError(408, "upload_timeout", "the upload did not arrive within " + uploadTimeout.toSeconds()
          + " s (avpush.limits.upload-timeout); send the whole body without pausing, or a shorter segment"));
    }
    if (cause instanceof StreamLimitReachedException) {
      return Optional.of(ApiError.tooLarge("a form field ('width', 'height', 'fps' or 'format') exceeds " + MAX_FIELD_BYTES
          + " bytes; fields are short text like width=512"));
    }
    if (cause instanceof Unmarshaller.UnsupportedContentTypeException) {
      return Optional.of(new ApiError(415, "unsupported_media_type", "the request's Content-Type is '"
          + entity.getContentType() + "'; a segment is sent as multipart/form-data: " + FORM_ADVICE));
    }
    if (cause instanceof IllegalArgumentException) {
      // This form's own refusals, and Pekko's of a boundary it cannot use ("requirement failed: ...").
      return Optional.of(ApiError.badRequest(cause.getMessage().startsWith("requirement failed: ")
          ? "the multipart/form-data Content-Type is unusable: " + cause.getMessage().substring(20) + "; " + FORM_ADVICE
          : cause.getMessage()));
    }
    if (cause.getClass() == RuntimeException.class && String.valueOf(cause.getMessage()).contains("'boundary'")) {
      // Pekko's multipart unmarshaller refuses a Content-Type without a boundary with a bare RuntimeException.
      return Optional.of(ApiError.badRequest("the Content-Type has no boundary: " + cause.getMessage() + "; " + FORM_ADVICE));
    }
    return ParseFailures.of(cause, "the multipart/form-data body", FORM_ADVICE);
  }

  /**
   * Every part's name and bytes, in the order sent, within {@code timeout} for the whole body: an
   * unknown part is refused before its bytes are read, a field longer than {@link #MAX_FIELD_BYTES}
   * as soon as it passes that (StreamLimitReachedException), a body that stalls by the timeout.
   */
  private static CompletionStage<List<Map.Entry<String, ByteString>>> collect(
      Multipart.FormData form, Duration timeout, Materializer materializer) {
    return form.getParts()
        // A malformed part fails the multipart parser's stage, which Pekko would log as an ERROR
        // with its stack: it is the client's mistake, and the client is told (refusal).
        .addAttributes(Attributes.createLogLevels(Attributes.logLevelDebug(), Attributes.logLevelDebug(), Attributes.logLevelOff()))
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

  /** The upload the parts describe; a message for the client when a part is unknown, repeated, empty or malformed. */
  static UploadedMedia toUpload(List<Map.Entry<String, ByteString>> parts) {
    Map<String, ByteString> single = new HashMap<>();
    List<byte[]> images = new ArrayList<>();
    for (Map.Entry<String, ByteString> part : parts) {
      String name = part.getKey();
      if (name.equals("frame")) {
        if (part.getValue().isEmpty()) {
          throw new IllegalArgumentException("part 'frame' #" + (images.size() + 1) + " is sent but empty; "
              + "put one PNG or JPEG image in each part 'frame'");
        }
        images.add(part.getValue().toArray());
      } else if (!SINGLE_PARTS.contains(name)) {
        throw unknownPart(name);
      } else if (single.put(name, requireContent(name, part.getValue())) != null) {
        throw new IllegalArgumentException("form part '" + name + "' is sent twice; send it once"
            + (name.equals("video") ? " (raw frames back to back), or send images as repeated parts 'frame'" : ""));
      }
    }
    return new UploadedMedia(
        bytes(single.get("audio")),
        bytes(single.get("video")),
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
  private static ByteString requireContent(String name, ByteString value) {
    boolean field = !MEDIA_PARTS.contains(name);
    if (field ? !BodyText.utf8(value, "field '" + name + "'").isBlank() : !value.isEmpty()) {
      return value;
    }
    String instead = switch (name) {
      case "audio" -> "put the WAV file in it, or leave the part out for a segment of frames only";
      case "video" -> "put the raw frames in it, or leave the part out (and fields 'width', 'height', 'format') "
          + "for a segment of audio only";
      case "fps" -> "send a rate like 30 or 30000/1001, or leave the field out for the session's rate";
      case "format" -> "send bgr24 or rgba, or leave the field out for bgr24";
      default -> "send the frames' " + name + " in pixels, or leave the field out for the session's";
    };
    throw new IllegalArgumentException((field ? "field '" : "part '") + name + "' is sent but empty; " + instead);
  }

  private static byte[] bytes(ByteString b) {
    return b == null ? null : b.toArray();
  }

  private static String text(Map<String, ByteString> parts, String name) {
    ByteString b = parts.get(name);
    return b == null ? null : BodyText.utf8(b, "field '" + name + "'");
  }

  private static Integer intField(Map<String, ByteString> parts, String name) {
    ByteString b = parts.get(name);
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
