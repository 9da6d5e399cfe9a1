package io.avpush.webrtc;

import io.avpush.testing.SyntheticMedia;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Pushes video at exactly {@code fps} and audio every 10 ms from one dedicated thread, each at its
 * own deadline from one start instant: frame n is due at t0 + n * 1e9 / fps, chunk k at
 * t0 + k * 10 ms (exact long math, park to each deadline, never an accumulated sleep). Every whole
 * second from the first on, one white frame and a 100 ms 1 kHz beep start at the same media time.
 */
final class MarkerPushLoop implements AutoCloseable {
    static final int WIDTH = 512;
    static final int HEIGHT = 512;
    static final long NANOS_PER_CHUNK = 10_000_000L;

    private final SessionMedia output;
    private final int fps;
    private final long durationNanos;
    private final byte[] dark = SyntheticMedia.i420(WIDTH, HEIGHT, 16);
    private final byte[] white = SyntheticMedia.i420(WIDTH, HEIGHT, 235);
    private final short[] silence = new short[SessionMedia.SAMPLES_PER_CHUNK];
    private final short[] beep = tone(1000, 0.5, 10);
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private volatile long startNanos;
    private volatile long framesPushed;
    private volatile long chunksPushed;

    MarkerPushLoop(SessionMedia output, int fps, long durationNanos) {
        this.output = output;
        this.fps = fps;
        this.durationNanos = durationNanos;
        this.thread = new Thread(this::run, "test-pacer");
    }

    MarkerPushLoop start() {
        thread.start();
        return this;
    }

    void join() throws InterruptedException {
        thread.join(durationNanos / 1_000_000 + 5_000);
    }

    long startNanos() {
        return startNanos;
    }

    long framesPushed() {
        return framesPushed;
    }

    long chunksPushed() {
        return chunksPushed;
    }

    private void run() {
        long t0 = System.nanoTime();
        startNanos = t0;
        long frame = 0;
        long chunk = 0;
        while (!stop.get()) {
            long frameDue = t0 + frame * 1_000_000_000L / fps;
            long chunkDue = t0 + chunk * NANOS_PER_CHUNK;
            long due = Math.min(frameDue, chunkDue);
            if (due - t0 >= durationNanos) {
                return;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            if (chunkDue <= frameDue) {
                long chunkInSecond = chunk % 100;
                boolean beeping = chunk >= 100 && chunkInSecond < beep.length / SessionMedia.SAMPLES_PER_CHUNK;
                if (beeping) {
                    output.pushAudio(beep, (int) chunkInSecond * SessionMedia.SAMPLES_PER_CHUNK);
                } else {
                    output.pushAudio(silence, 0);
                }
                chunk++;
                chunksPushed = chunk;
            } else {
                boolean flash = frame >= fps && frame % fps == 0;
                output.pushFrame(flash ? white : dark, WIDTH, HEIGHT);
                frame++;
                framesPushed = frame;
            }
        }
    }

    /** {@code chunks} x 10 ms of a sine at 48 kHz, amplitude as a fraction of full scale. */
    static short[] tone(int hz, double amplitude, int chunks) {
        short[] pcm = new short[chunks * SessionMedia.SAMPLES_PER_CHUNK];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * hz * i / 48_000.0));
        }
        return pcm;
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(2_000);
    }
}
