package io.avpush.webrtc;

/**
 * What a person must fix in an offer before libwebrtc sees it. libwebrtc accepts an offer without
 * an audio or a video section and answers it without that track, which a viewer would notice only as
 * silence or a black screen; we refuse it instead.
 */
final class OfferCheck {
  private OfferCheck() {}

  /** Null when the offer can be answered, else what is wrong with it. */
  static String problem(String offerSdp) {
    if (offerSdp == null || offerSdp.isBlank()) {
      return "offer SDP is empty: send the browser's RTCPeerConnection.localDescription.sdp";
    }
    if (!offerSdp.startsWith("v=0")) {
      return "offer SDP rejected: it must start with \"v=0\" (is it the SDP text, not JSON?)";
    }
    int percent = offerSdp.indexOf('%');
    if (percent >= 0) {
      // webrtc-java 0.14.0 reports an unparsable SDP line through printf with the line as the
      // format: "%n" in it crashed the JVM (found by SdpFuzzIT). Browsers' offers never hold '%'.
      long line = offerSdp.substring(0, percent).chars().filter(c -> c == '\n').count() + 1;
      return "offer SDP rejected: line " + line + " contains '%', which no browser offer holds;"
          + " send the browser's RTCPeerConnection.localDescription.sdp unchanged";
    }
    boolean audio = offerSdp.contains("\nm=audio ");
    boolean video = offerSdp.contains("\nm=video ");
    if (!audio || !video) {
      String missing = !audio && !video ? "audio and video sections" : !audio ? "an audio section" : "a video section";
      return "offer SDP has no " + missing
          + ": the viewer must add recvonly audio and video transceivers before creating the offer";
    }
    return null;
  }
}
