package io.avpush.browser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SynchronizerLogTest {

    private static final String PREFIX = "[27891:27919:1206/101515.405350:VERBOSE1:third_party/webrtc/video/";

    @Test
    void readsTheReportsAndTheVideoDelaysItSet() {
        SynchronizerLog log = SynchronizerLog.parse(List.of(
                PREFIX + "stream_synchronization.cc:71] Audio delay: 294 current diff: -11 for stream 369651091",
                PREFIX
                        + "stream_synchronization.cc:164] Sync video delay 35 for video stream 837196797 and audio delay 0 for audio stream 369651091",
                "[27891:27919:1206/101515.405791:WARNING:third_party/webrtc/video/video_receive_stream2.cc:1267] Multiple playout delays set.",
                PREFIX + "stream_synchronization.cc:71] Audio delay: 224 current diff: -9 for stream 369651091",
                PREFIX + "stream_synchronization.cc:71] Audio delay: 108 current diff: 40 for stream 369651091"));
        assertArrayEquals(new int[] {-11, -9, 40}, log.relativeDelaysMs());
        assertArrayEquals(new int[] {294, 224, 108}, log.audioDelaysMs());
        assertArrayEquals(new int[] {35}, log.videoDelaysMs());
        assertEquals(-9, log.medianRelativeDelayMs());
        assertEquals(49, log.maxRelativeDelayDeviationMs());
        assertTrue(log.describe().contains("3 reports"), log.describe());
    }

    @Test
    void aLogWithoutReportsSaysSo() {
        SynchronizerLog log = SynchronizerLog.parse(List.of("nothing here"));
        assertEquals(0, log.reports());
        assertTrue(Double.isNaN(log.maxRelativeDelayDeviationMs()));
    }
}
