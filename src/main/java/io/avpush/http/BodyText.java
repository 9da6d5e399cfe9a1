package io.avpush.http;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpCharset;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.util.ByteString;

/**
 * Text a client sent (a JSON or SDP body, a form field) read strictly as UTF-8, the encoding JSON
 * (RFC 8259 §8.1) and SDP (RFC 8866 §5) are exchanged in. A lenient decoder turns a broken byte
 * into U+FFFD and the request goes on with text the client never sent; here it is refused with
 * where it is.
 *
 * <p>Example: the bytes {@code {"fps": "3} FF {@code 0"}} are refused with "the body is not valid
 * UTF-8: byte 10 (ff) ...".
 */
final class BodyText {

    private BodyText() {}

    /** Text that is not UTF-8; the message says where. */
    static final class NotUtf8 extends IllegalArgumentException {
        NotUtf8(String message) {
            super(message);
        }
    }

    /** {@code bytes} as UTF-8; {@code what} names them in the refusal, e.g. "field 'fps'". */
    static String utf8(ByteString bytes, String what) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = bytes.asByteBuffer();
        CharBuffer out = CharBuffer.allocate(bytes.size());
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int at = in.position();
            StringBuilder hex = new StringBuilder();
            for (int i = at; i < Math.min(at + result.length(), bytes.size()); i++) {
                hex.append(hex.length() == 0 ? "" : " ").append(String.format("%02x", bytes.apply(i) & 0xff));
            }
            throw new NotUtf8(what + " is not valid UTF-8: byte " + at + " (" + hex + ") "
                    + (result.isMalformed() ? "is not part of a UTF-8 character" : "is no character")
                    + "; send text encoded as UTF-8");
        }
        return out.flip().toString();
    }

    /**
     * Why the body's declared charset is not one this text can be read in (anything but UTF-8 or
     * its subset US-ASCII), else empty.
     */
    static Optional<String> unsupportedCharset(HttpEntity entity, String what) {
        Optional<HttpCharset> declared = entity.getContentType().getCharsetOption();
        if (declared.isEmpty()) {
            return Optional.empty();
        }
        String name = declared.get().value().toLowerCase(Locale.ROOT);
        if (name.equals("utf-8") || name.equals("utf8") || name.equals("us-ascii")) {
            return Optional.empty();
        }
        return Optional.of("the Content-Type declares charset=" + declared.get().value() + "; " + what
                + " is read as UTF-8: send it encoded as UTF-8, with charset=utf-8 or no charset");
    }
}
