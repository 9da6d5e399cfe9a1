package io.avpush.media;

/**
 * A generated clip with audio beeps and white flash frames at known positions, made by
 * {@link TestSignal#markers}. Frames with the same content share one array; treat every array
 * as read-only.
 *
 * @param pcm48k              mono 48 kHz s16 audio, exactly as long as the frames (padded to the last tick's end)
 * @param i420Frames          one I420 frame per tick, frame 0 at sample 0
 * @param markerSampleIndices the sample at which each beep starts; each is the start of a flash frame
 */
public record MarkerClip(
        short[] pcm48k, byte[][] i420Frames, int width, int height, FrameRate fps, long[] markerSampleIndices) {

    /** The flash frame of each marker: the frame whose start is the marker's sample index. */
    public long[] markerFrameIndices() {
        long[] frames = new long[markerSampleIndices.length];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = fps.frameIndexAtSample(markerSampleIndices[i], AudioChunks.SAMPLE_RATE);
        }
        return frames;
    }
}
