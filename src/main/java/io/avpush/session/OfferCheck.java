package io.avpush.session;

/**
 * What a person must fix in an offer before libwebrtc sees it. libwebrtc accepts an offer without
 * an audio or a video section and answers it without that track, which a viewer would notice only as
 * silence or a black screen; we refuse it instead.
 */
public final class OfferCheck {
    private OfferCheck() {}

    /**
     * Null when the text is an SDP at all (not empty, starts with "v=0"), else what is wrong. The
     * session asks this before an offer takes one of its viewer slots: an offer holds its slot until
     * libwebrtc has answered it, and a burst of garbage offers must not fill the limit.
     */
    public static String notSdp(String offerSdp) {
        if (offerSdp == null || offerSdp.isBlank()) {
            return "offer SDP is empty: send the browser's RTCPeerConnection.localDescription.sdp";
        }
        if (!offerSdp.startsWith("v=0")) {
            return "offer SDP rejected: it must start with \"v=0\" (is it the SDP text, not JSON?)";
        }
        return null;
    }

    /** Null when the offer can be answered, else what is wrong with it. */
    public static String problem(String offerSdp) {
        String notSdp = notSdp(offerSdp);
        if (notSdp != null) {
            return notSdp;
        }
        int percent = offerSdp.indexOf('%');
        if (percent >= 0) {
            // webrtc-java 0.14.0 reports an unparsable SDP line through printf with the line as the
            // format: "%n" in it crashed the JVM (found by SdpFuzzIT). Browsers' offers never hold '%'.
            long line = offerSdp.substring(0, percent)
                            .chars()
                            .filter(c -> c == '\n')
                            .count()
                    + 1;
            return "offer SDP rejected: line " + line + " contains '%', which no browser offer holds;"
                    + " send the browser's RTCPeerConnection.localDescription.sdp unchanged";
        }
        boolean audio = offerSdp.contains("\nm=audio ");
        boolean video = offerSdp.contains("\nm=video ");
        if (!audio || !video) {
            String missing =
                    !audio && !video ? "audio and video sections" : !audio ? "an audio section" : "a video section";
            return "offer SDP has no " + missing
                    + ": the viewer must add recvonly audio and video transceivers before creating the offer";
        }
        return null;
    }
}
