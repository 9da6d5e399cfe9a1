package io.avpush.webrtc;

import dev.onvoid.webrtc.media.audio.AudioSource;
import java.util.Arrays;

/**
 * Replaces the audio device module's transport so that its capture thread stops feeding audio.
 *
 * <p>Why: in webrtc-java 0.14.0 the {@code HeadlessAudioDeviceModule} starts a 10 ms capture thread
 * as soon as the first audio stream sends, and delivers what it "records" (silence here) to every
 * sending audio stream, in addition to what {@code CustomAudioSource.pushAudio} delivers. Two feeds
 * into one Opus encoder double the audio RTP clock. With this source registered the module's
 * capture and playout threads call us instead of libwebrtc's own transport, and we answer silence;
 * the server never plays remote audio, so nothing is lost.
 */
final class SilentRecording implements AudioSource {
  @Override
  public int onPlaybackData(
      byte[] audioSamples, int nSamples, int nBytesPerSample, int nChannels, int samplesPerSec) {
    Arrays.fill(audioSamples, (byte) 0);
    return nSamples;
  }
}
