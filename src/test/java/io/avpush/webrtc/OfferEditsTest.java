package io.avpush.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OfferEditsTest {

    /** Offers as lines joined by '|'; CRLF line endings, as browsers send them. */
    @ParameterizedTest
    @CsvSource(
            delimiter = ';',
            value = {
                // Chromium's Opus line gains usedtx=1
                "m=audio 9 UDP/TLS/RTP/SAVPF 111 0|a=rtpmap:111 opus/48000/2|a=fmtp:111 minptime=10,useinbandfec=1|a=rtpmap:0 PCMU/8000"
                        + "; m=audio 9 UDP/TLS/RTP/SAVPF 111 0|a=rtpmap:111 opus/48000/2|a=fmtp:111 minptime=10,useinbandfec=1,usedtx=1|a=rtpmap:0 PCMU/8000",
                // no fmtp line: one is added after the rtpmap
                "a=rtpmap:109 OPUS/48000/2|a=rtpmap:0 PCMU/8000; a=rtpmap:109 OPUS/48000/2|a=fmtp:109 usedtx=1|a=rtpmap:0 PCMU/8000",
                // a viewer that says usedtx (either way) is left as it is
                "a=rtpmap:111 opus/48000/2|a=fmtp:111 usedtx=0; a=rtpmap:111 opus/48000/2|a=fmtp:111 usedtx=0",
                // other codecs' fmtp lines and offers without Opus are untouched
                "a=rtpmap:96 VP8/90000|a=fmtp:97 apt=96; a=rtpmap:96 VP8/90000|a=fmtp:97 apt=96",
            })
    void opusSendsSilenceAsDtxUnlessTheViewerSaysOtherwise(String offer, String edited) {
        String sdp = offer.replace(',', ';').replace("|", "\r\n") + "\r\n";
        assertEquals(edited.replace(',', ';').replace("|", "\r\n") + "\r\n", OfferEdits.withOpusDtx(sdp));
    }
}
