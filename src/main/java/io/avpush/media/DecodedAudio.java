package io.avpush.media;

/**
 * Audio as it came out of a decoder, before mixing and resampling: one float array per channel,
 * samples in [-1, 1], at the file's own rate. Keeping decode and resample apart lets each be
 * tested with exact values.
 *
 * <p>The arrays are shared, not copied; treat them as read-only.
 */
public record DecodedAudio(float[][] channels, int sampleRate) {

    public DecodedAudio {
        if (channels == null || channels.length == 0) {
            throw new IllegalArgumentException("audio needs at least one channel");
        }
        for (float[] channel : channels) {
            if (channel == null || channel.length != channels[0].length) {
                throw new IllegalArgumentException("all audio channels must have the same length");
            }
        }
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sample rate must be positive, got " + sampleRate);
        }
    }

    public int channelCount() {
        return channels.length;
    }

    /** Samples per channel (one sample frame = one sample of every channel). */
    public int frameCount() {
        return channels[0].length;
    }
}
