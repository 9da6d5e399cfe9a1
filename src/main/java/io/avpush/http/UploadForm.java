package io.avpush.http;

import io.avpush.api.ApiError;
import io.avpush.api.Failures;
import io.avpush.playout.RawVideo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.Multipart;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
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

    private UploadForm() {}

    /** Form fields (width, height, fps, format) are short text; a longer one is refused as it arrives. */
    static final long MAX_FIELD_BYTES = 1024;

    private static final String FORM_ADVICE = "send parts 'audio' (WAV) and/or 'video' (raw frames) with fields "
            + "'width', 'height', 'fps', or repeated parts 'frame', each starting with a header line like "
            + "Content-Disposition: form-data; name=\"audio\"; filename=\"a.wav\", separated by the boundary "
            + "that the Content-Type header names (multipart/form-data; boundary=...)";

    /**
     * A part as received: its name and its first {@code length} bytes of {@code bytes}, or, for part
     * 'video', the chunks it arrived in ({@code bytes} then null).
     */
    record Received(String name, byte[] bytes, int length, RawVideo chunks) {

        long size() {
            return chunks != null ? chunks.length() : length;
        }

        ByteString byteString() {
            return ByteString.fromArray(bytes, 0, length);
        }

        /** The bytes, trimmed (a copy only when the part's array has room left). */
        byte[] exact() {
            return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
        }
    }

    /**
     * Every part's name and bytes, in the order sent, read as the body streams in
     * ({@link MultipartScanner}): part 'video' (raw frames, most of the body) is kept as the chunks
     * it arrived in, not copied; the other parts are copied once into an array each. Fails (see
     * {@link #refusal}) when the body is not a multipart/form-data body that can be read whole
     * within {@code timeout}: an unknown part before its bytes are read, a field longer than
     * {@link #MAX_FIELD_BYTES} as soon as it passes that (StreamLimitReachedException), a body that
     * stalls by the timeout. Pekko judges the Content-Type and each part's header lines.
     */
    static CompletionStage<List<Received>> read(HttpEntity entity, Duration timeout, Materializer materializer) {
        ContentType contentType = entity.getContentType();
        String boundary = boundary(contentType);
        return CompletableFuture.completedFuture(boundary)
                // Through thenCompose: the unmarshaller throws some of its refusals (a bad boundary) at once.
                .thenCompose(b -> parseWithPekko(contentType, b, sampleHeaders(), materializer))
                .thenComposeAsync(
                        checked -> {
                            Parts parts = new Parts(contentType, boundary, materializer);
                            MultipartScanner scanner = new MultipartScanner(boundary, parts);
                            return entity.getDataBytes()
                                    // A body that stalls or fails is the client's to hear about (refusal); not an ERROR
                                    // with a stack.
                                    .addAttributes(Attributes.createLogLevels(
                                            Attributes.logLevelDebug(),
                                            Attributes.logLevelDebug(),
                                            Attributes.logLevelOff()))
                                    .completionTimeout(timeout)
                                    .mapAsync(1, scanner::feed)
                                    .runWith(Sink.ignore(), materializer)
                                    .thenApplyAsync(
                                            done -> {
                                                scanner.finish();
                                                return parts.received;
                                            },
                                            SameThread.EXECUTOR);
                        },
                        SameThread.EXECUTOR);
    }

    /** The boundary the Content-Type names, or a stand-in when it names none (Pekko then refuses it). */
    private static String boundary(ContentType contentType) {
        if (contentType.mediaType() instanceof org.apache.pekko.http.scaladsl.model.MediaType.Multipart m) {
            String b = scala.jdk.javaapi.CollectionConverters.asJava(m.params()).get("boundary");
            if (b != null) {
                return b;
            }
        }
        return "none";
    }

    private static ByteString sampleHeaders() {
        return ByteString.fromString("Content-Disposition: form-data; name=\"fps\"", StandardCharsets.ISO_8859_1);
    }

    /**
     * The one part described by {@code headerLines} (with an empty body) as Pekko's multipart parser
     * reads it: it checks the Content-Type and its boundary, and every header line, and says what is
     * wrong in its own words (see {@link #refusal}).
     */
    private static CompletionStage<Multipart.FormData.BodyPart> parseWithPekko(
            ContentType contentType, String boundary, ByteString headerLines, Materializer materializer) {
        ByteString body = ByteString.fromString("--" + boundary + "\r\n", StandardCharsets.ISO_8859_1)
                .concat(headerLines)
                .concat(ByteString.fromString("\r\n\r\n\r\n--" + boundary + "--\r\n", StandardCharsets.ISO_8859_1));
        // As a stream: Pekko parses a body that arrived whole (strict) on another path, which fails differently.
        HttpEntity part = HttpEntities.createIndefiniteLength(contentType, Source.single(body));
        return Unmarshaller.entityToMultipartFormData()
                .unmarshal(part, materializer)
                .thenComposeAsync(
                        form -> form.getParts()
                                .addAttributes(Attributes.createLogLevels(
                                        Attributes.logLevelDebug(),
                                        Attributes.logLevelDebug(),
                                        Attributes.logLevelOff()))
                                .runWith(Sink.head(), materializer),
                        SameThread.EXECUTOR)
                .thenApplyAsync(p -> (Multipart.FormData.BodyPart) p, SameThread.EXECUTOR);
    }

    /** Opens each part the scanner finds and collects its bytes, in the order sent. */
    private static final class Parts implements MultipartScanner.PartOpener {
        private final ContentType contentType;
        private final String boundary;
        private final Materializer materializer;
        final List<Received> received = new ArrayList<>();

        Parts(ContentType contentType, String boundary, Materializer materializer) {
            this.contentType = contentType;
            this.boundary = boundary;
            this.materializer = materializer;
        }

        @Override
        public CompletionStage<MultipartScanner.PartSink> open(ByteString headerLines) {
            return parseWithPekko(contentType, boundary, headerLines, materializer)
                    .thenApplyAsync(
                            part -> {
                                String name = part.getName();
                                if (!name.equals("frame") && !UploadParts.SINGLE_PARTS.contains(name)) {
                                    throw UploadParts.unknownPart(name);
                                }
                                // Refused as soon as it begins, not after its bytes were held.
                                if (!name.equals("frame")
                                        && received.stream()
                                                .anyMatch(r -> r.name().equals(name))) {
                                    throw UploadParts.sentTwice(name);
                                }
                                if (name.equals("video")) {
                                    return new VideoChunks();
                                }
                                boolean media = UploadParts.MEDIA_PARTS.contains(name);
                                return new PartBytes(
                                        name,
                                        media ? 64 * 1024 : 64,
                                        media ? Integer.MAX_VALUE - 16 : (int) MAX_FIELD_BYTES);
                            },
                            SameThread.EXECUTOR);
        }

        /** Part 'video': the views of the chunks it arrived in, kept as they are. */
        private final class VideoChunks implements MultipartScanner.PartSink {
            private final List<java.nio.ByteBuffer> chunks = new ArrayList<>();

            @Override
            public void data(java.nio.ByteBuffer in) {
                if (in.hasRemaining()) {
                    chunks.add(in);
                }
            }

            @Override
            public void end() {
                received.add(new Received("video", null, 0, RawVideo.of(chunks)));
            }
        }

        /** One part's bytes, copied from the chunks into one array that doubles when full. */
        private final class PartBytes implements MultipartScanner.PartSink {
            private final String name;
            private final int max;
            private byte[] bytes;
            private int length;

            PartBytes(String name, int initial, int max) {
                this.name = name;
                this.max = max;
                this.bytes = new byte[initial];
            }

            @Override
            public void data(java.nio.ByteBuffer in) {
                int n = in.remaining();
                if ((long) length + n > max) {
                    throw new StreamLimitReachedException(max);
                }
                if (length + n > bytes.length) {
                    bytes = Arrays.copyOf(bytes, (int) Math.min(max, Math.max((long) length + n, 2L * bytes.length)));
                }
                in.get(bytes, length, n);
                length += n;
            }

            @Override
            public void end() {
                received.add(new Received(name, bytes, length, null));
            }
        }
    }

    /**
     * Why {@link #read} failed, as the client's error (size, time, form), or empty when the failure
     * is not the client's.
     */
    static Optional<ApiError> refusal(
            Throwable failure, HttpEntity entity, long maxUploadBytes, Duration uploadTimeout) {
        Throwable cause = Failures.cause(failure);
        if (cause instanceof EntityStreamSizeException) {
            return Optional.of(ApiError.tooLarge("the request body exceeds " + maxUploadBytes
                    + " bytes (avpush.limits.max-upload-bytes); send a shorter segment"));
        }
        if (cause instanceof TimeoutException) {
            return Optional.of(
                    new ApiError(
                            408,
                            "upload_timeout",
                            "the upload did not arrive within " + uploadTimeout.toSeconds()
                                    + " s (avpush.limits.upload-timeout); send the whole body without pausing, or a shorter segment"));
        }
        if (cause instanceof StreamLimitReachedException) {
            return Optional.of(ApiError.tooLarge("a form field ('width', 'height', 'fps' or 'format') exceeds "
                    + MAX_FIELD_BYTES + " bytes; fields are short text like width=512"));
        }
        if (cause instanceof Unmarshaller.UnsupportedContentTypeException) {
            return Optional.of(new ApiError(
                    415,
                    "unsupported_media_type",
                    "the request's Content-Type is '" + entity.getContentType()
                            + "'; a segment is sent as multipart/form-data: " + FORM_ADVICE));
        }
        if (cause instanceof IllegalArgumentException) {
            // This form's own refusals, and Pekko's of a boundary it cannot use ("requirement failed: ...").
            return Optional.of(ApiError.badRequest(
                    cause.getMessage().startsWith("requirement failed: ")
                            ? "the multipart/form-data Content-Type is unusable: "
                                    + cause.getMessage().substring(20) + "; " + FORM_ADVICE
                            : cause.getMessage()));
        }
        if (cause.getClass() == RuntimeException.class
                && String.valueOf(cause.getMessage()).contains("'boundary'")) {
            // Pekko's multipart unmarshaller refuses a Content-Type without a boundary with a bare RuntimeException.
            return Optional.of(ApiError.badRequest(
                    "the Content-Type has no boundary: " + cause.getMessage() + "; " + FORM_ADVICE));
        }
        return ParseFailures.of(cause, "the multipart/form-data body", FORM_ADVICE);
    }
}
