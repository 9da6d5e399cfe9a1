package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A streamed segment's control messages: what an open asks for, and what a producer is told when a message is wrong. */
class StreamControlTest {

    /** Strict as the API reads JSON (ApiRoutes). */
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
            .configure(JsonParser.Feature.STRICT_DUPLICATE_DETECTION, true);

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "{\"type\":\"open\",\"sampleRate\":16000}                  | true  | true  | 16000",
                "{\"type\":\"open\",\"sampleRate\":8000,\"video\":false}   | true  | false | 8000",
                "{\"type\":\"open\",\"sampleRate\":192000,\"audio\":true}  | true  | true  | 192000",
                "{\"type\":\"open\",\"audio\":false}                       | false | true  | 0",
                "{\"type\":\"open\",\"audio\":false,\"sampleRate\":12.5}   | false | true  | 0", // no audio: the rate
                // is not checked
            })
    void anOpenAsksForItsTracksAndRate(String text, boolean audio, boolean video, int sampleRate) throws Exception {
        var control = StreamControl.read(MAPPER, text);
        assertTrue(StreamControl.isOpen(control));
        assertEquals(new StreamControl.Open(audio, video, sampleRate), StreamControl.open(control));
    }

    @Test
    void aCloseIsNoOpen() throws Exception {
        assertFalse(StreamControl.isOpen(StreamControl.read(MAPPER, "{\"type\":\"close\"}")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "open                                        | this one is not JSON",
                "{\"type\":\"close\"} {\"type\":\"open\"}    | this one is not JSON",
                "{\"type\":\"play\"}                         | unknown control message type 'play'; send \"open\" or \"close\"",
                "{\"sampleRate\":16000}                      | unknown control message type ''",
                "{\"type\":\"open\"}                         | \"sampleRate\" is missing; a segment with audio declares its rate",
                "{\"type\":\"open\",\"sampleRate\":7999}     | \"sampleRate\" is 7999;",
                "{\"type\":\"open\",\"sampleRate\":192001}   | \"sampleRate\" is 192001;",
                "{\"type\":\"open\",\"sampleRate\":16000.5}  | \"sampleRate\" is 16000.5;",
                "{\"type\":\"open\",\"sampleRate\":\"16000\"} | \"sampleRate\" is \"16000\";",
                "{\"type\":\"open\",\"sampleRate\":16000,\"audio\":\"yes\"} | \"audio\" is \"yes\"; send true or false",
                "{\"type\":\"open\",\"video\":1}             | \"video\" is 1;", // the tracks are checked before the
                // rate
            })
    void aWrongMessageIsRefusedWithWhatIsWrong(String text, String told) {
        StreamProtocol.ProtocolException e = assertThrows(
                StreamProtocol.ProtocolException.class, () -> StreamControl.open(StreamControl.read(MAPPER, text)));
        assertTrue(e.getMessage().contains(told), e.getMessage());
    }

    @Test
    void aTextTooLongIsRefusedAsTooLarge() {
        assertEquals("too_large", StreamControl.tooLong().error());
        assertTrue(StreamControl.tooLong().message().startsWith("a text message exceeds 65536 characters"));
    }
}
