package io.avpush.webrtc;

import com.sun.jna.Pointer;
import dev.onvoid.webrtc.media.SyncClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts webrtc-java's {@link SyncClock} on libwebrtc's own clock, so that the RTCP sender reports
 * of a session map RTP time to the instants its media was pushed.
 *
 * <p>Read in webrtc-java 0.14.0 ({@code media/SyncClock.cpp}) and libwebrtc
 * ({@code rtcp_sender.cc}): the clock counts microseconds since its own creation
 * ({@code steady_clock::now() - start_time_}) and stamps every pushed frame and audio chunk with
 * that count as its capture time. libwebrtc's RTCP sender builds each sender report from it:
 * {@code rtp = last_rtp + (now - last_capture_time) * rate}, with {@code now} on its own clock,
 * CLOCK_MONOTONIC since boot. Every report of a session therefore claimed its media was captured
 * earlier by the machine's uptime at the clock's creation (measured: both streams' reports 1029 s
 * ahead of their packets, 1015 s after boot). The shift is the same for audio and video, so it
 * cancels while a receiver unwraps both RTP clocks the same way; past half an RTP wrap (6.6 h of
 * uptime at 90 kHz, 12.4 h at 48 kHz) the two streams' mappings disagree by hours and a browser
 * stops lip-syncing them altogether. {@link #align} sets the clock's start to the steady clock's
 * epoch: it then counts CLOCK_MONOTONIC, libwebrtc's clock, and the reports carry true capture times.
 *
 * <p>The clock's only field is its start time ({@code std::chrono::steady_clock::time_point}, one
 * 64-bit count of nanoseconds); the change is kept only when the clock then reads
 * {@link System#nanoTime()} (also CLOCK_MONOTONIC on Linux) within a millisecond, so a different
 * layout is left as it was. Off with {@code -Davpush.webrtc.align-sync-clock=false}.
 */
final class SenderClock {
    private static final Logger log = LoggerFactory.getLogger(SenderClock.class);

    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("avpush.webrtc.align-sync-clock", "true"));

    /** How far the aligned clock may read from {@link System#nanoTime()}: one millisecond. */
    static final long TOLERANCE_US = 1_000;

    private SenderClock() {}

    /**
     * Makes {@code clock} count microseconds of CLOCK_MONOTONIC instead of microseconds since its
     * creation. Call before any source stamps media with it. Returns whether the clock now reads
     * libwebrtc's time.
     */
    static boolean align(SyncClock clock) {
        if (!ENABLED) {
            return false;
        }
        long handle = NativeRefs.handle(clock);
        if (handle == 0) {
            log.warn("cannot reach webrtc-java's SyncClock: sender reports keep the clock's creation offset");
            return false;
        }
        Pointer startField = new Pointer(handle);
        long start = startField.getLong(0);
        long before = clock.getTimestampUs();
        if (Math.abs(System.nanoTime() / 1_000 - start / 1_000 - before) > TOLERANCE_US) {
            log.warn("webrtc-java's SyncClock does not hold a steady-clock start where expected: left as it is");
            return false;
        }
        startField.setLong(0, 0L);
        long after = clock.getTimestampUs();
        if (Math.abs(System.nanoTime() / 1_000 - after) > TOLERANCE_US) {
            startField.setLong(0, start);
            log.warn("webrtc-java's SyncClock does not count CLOCK_MONOTONIC once aligned: left as it was");
            return false;
        }
        return true;
    }
}
