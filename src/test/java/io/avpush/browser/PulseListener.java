package io.avpush.browser;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A listener at the browser's loudspeaker: a private PulseAudio daemon with a null sink that
 * Chromium plays into (its real audio output path, the one a viewer hears, instead of a Web Audio
 * tap), and {@code parec} recording that sink's monitor. It finds each beep's onset (|x| > 0.25
 * after 0.4 s of quiet, as measure.html's tap does) and dates it on the epoch clock.
 *
 * <p>Dating: the monitor delivers the sink's samples in order, so sample n was played at
 * line + n / 48 ms. The line is the minimum of (read time − samples read so far / 48) over the
 * reads within 5 s of sample n: the read that came back soonest after its samples. Scheduling
 * delays of this reader only raise the other reads, so they do not move it; taking it locally
 * follows a sink whose sample count does not keep to the system clock (with Chromium playing, the
 * monitor delivered ~120 ppm more samples than real time: {@link #clockDriftPpm}). The recording's
 * own latency (a few ms of PulseAudio buffering) is a constant the offsets share.
 */
final class PulseListener implements AutoCloseable {

    static final int RATE = 48_000;

    private final Path dir;
    private final Process daemon;
    private final Process recorder;
    private final Thread reader;
    private final List<Long> onsetSamples = new ArrayList<>();
    private final List<Long> silenceSamples = new ArrayList<>();
    private long loudSince = -1;
    private long lastLoud = -1;
    private final List<double[]> lines = new ArrayList<>(); // {epoch ms of a read, line ms, samples read}

    private PulseListener(Path dir, Process daemon, Process recorder) {
        this.dir = dir;
        this.daemon = daemon;
        this.recorder = recorder;
        this.reader = new Thread(this::read, "pulse-listener");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Why this machine cannot listen (no pulseaudio or parec), if so. */
    static Optional<String> missingReason() {
        for (String tool : List.of("/usr/bin/pulseaudio", "/usr/bin/parec")) {
            if (!Files.isExecutable(Path.of(tool))) {
                return Optional.of(tool + " is missing (Debian: pulseaudio, pulseaudio-utils)");
            }
        }
        return Optional.empty();
    }

    static PulseListener start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("avpush-pulse");
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("home"));
        Path socket = dir.resolve("native");
        Files.writeString(
                dir.resolve("default.pa"),
                String.join(
                        "\n",
                        "load-module module-native-protocol-unix socket=" + socket + " auth-anonymous=1",
                        "load-module module-null-sink sink_name=avpush rate=" + RATE + " channels=2",
                        "set-default-sink avpush",
                        ""),
                StandardCharsets.UTF_8);
        ProcessBuilder daemon = new ProcessBuilder(
                        "/usr/bin/pulseaudio",
                        "-n",
                        "--daemonize=no",
                        "--exit-idle-time=-1",
                        "--use-pid-file=no",
                        "-F",
                        dir.resolve("default.pa").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("pulseaudio.log").toFile());
        environment(daemon, dir);
        Process pulse = daemon.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(socket)) {
            if (!pulse.isAlive() || System.nanoTime() > deadline) {
                pulse.destroyForcibly();
                throw new IOException("pulseaudio did not start; see " + dir.resolve("pulseaudio.log"));
            }
            Thread.sleep(50);
        }
        ProcessBuilder rec = new ProcessBuilder(
                        "/usr/bin/parec",
                        "--server=unix:" + socket,
                        "-d",
                        "avpush.monitor",
                        "--format=s16le",
                        "--rate=" + RATE,
                        "--channels=1",
                        "--latency-msec=5",
                        "--raw")
                .redirectError(dir.resolve("parec.log").toFile());
        environment(rec, dir);
        return new PulseListener(dir, pulse, rec.start());
    }

    private static void environment(ProcessBuilder pb, Path dir) {
        pb.environment().put("HOME", dir.resolve("home").toString());
        pb.environment().put("XDG_RUNTIME_DIR", dir.resolve("run").toString());
        pb.environment().put("PULSE_RUNTIME_PATH", dir.resolve("run").toString());
    }

    /** The PULSE_SERVER that a program plays into this listener's sink through. */
    String server() {
        return "unix:" + dir.resolve("native");
    }

    /** The command prefix that makes a program (Chromium) play into this listener's sink. */
    List<String> prefix() {
        return List.of("env", "PULSE_SERVER=unix:" + dir.resolve("native"));
    }

    private void read() {
        byte[] buffer = new byte[4096];
        long samples = 0;
        long quiet = 0;
        int carry = -1;
        try (InputStream in = recorder.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                long nowNs = System.nanoTime();
                int i = 0;
                if (carry >= 0) {
                    quiet = onSample(samples++, (short) (carry | (buffer[0] << 8)), quiet);
                    carry = -1;
                    i = 1;
                }
                for (; i + 1 < n; i += 2) {
                    quiet = onSample(samples++, (short) ((buffer[i] & 0xff) | (buffer[i + 1] << 8)), quiet);
                }
                if (i < n) {
                    carry = buffer[i] & 0xff;
                }
                double readEpochMs = epochMs(nowNs);
                double line = readEpochMs - samples * 1000.0 / RATE;
                synchronized (this) {
                    lines.add(new double[] {readEpochMs, line, samples});
                }
            }
        } catch (IOException e) {
            // the recorder was stopped
        }
    }

    private long onSample(long index, short value, long quiet) {
        if (Math.abs(value) > 0.25 * 32768) {
            if (quiet > 0.4 * RATE) {
                synchronized (this) {
                    onsetSamples.add(index);
                }
            }
            if (loudSince < 0 || index - lastLoud > SILENCE_SAMPLES) {
                loudSince = index;
            }
            lastLoud = index;
            return 0;
        }
        // A sound that was loud for 100 ms and is now quiet for 30 ms fell silent at its last loud sample.
        if (loudSince >= 0 && index - lastLoud == SILENCE_SAMPLES) {
            if (lastLoud - loudSince >= RATE / 10) {
                synchronized (this) {
                    silenceSamples.add(lastLoud + 1);
                }
            }
            loudSince = -1;
        }
        return quiet + 1;
    }

    /** Quiet this long (30 ms) after a loud sound: it fell silent. A 1 kHz tone crosses the threshold every ms. */
    private static final long SILENCE_SAMPLES = RATE * 30 / 1000;

    private static final long EPOCH_NS_AT_START = System.currentTimeMillis() * 1_000_000L;
    private static final long NANO_AT_START = System.nanoTime();

    /** The epoch clock read through the monotonic one: no wall-clock steps inside a run. */
    private static double epochMs(long nanoTime) {
        return (EPOCH_NS_AT_START + (nanoTime - NANO_AT_START)) / 1e6;
    }

    /** Every beep heard so far, as epoch ms. */
    synchronized List<Double> beepsEpochMs() {
        return epochMs(onsetSamples);
    }

    /** Every instant a sound loud for at least 100 ms fell silent (for 30 ms or more), as epoch ms. */
    synchronized List<Double> silencesEpochMs() {
        return epochMs(silenceSamples);
    }

    private List<Double> epochMs(List<Long> sampleIndices) {
        List<Double> beeps = new ArrayList<>();
        long window = 5L * RATE;
        for (long s : sampleIndices) {
            double line = Double.MAX_VALUE;
            for (double[] l : lines) {
                if (Math.abs(l[2] - s) <= window) {
                    line = Math.min(line, l[1]);
                }
            }
            beeps.add(line + s * 1000.0 / RATE);
        }
        return beeps;
    }

    /**
     * The sink's clock against the system clock: the slope of the per-second minimum line, in
     * parts per million (positive: the sink plays slower than real time). NaN under 20 s.
     */
    synchronized double clockDriftPpm() {
        if (lines.size() < 2 || lines.get(lines.size() - 1)[0] - lines.get(0)[0] < 20_000) {
            return Double.NaN;
        }
        List<double[]> minima = new ArrayList<>();
        double start = lines.get(0)[0];
        for (double[] l : lines) {
            int second = (int) ((l[0] - start) / 1000);
            while (minima.size() <= second) {
                minima.add(new double[] {start + minima.size() * 1000, Double.MAX_VALUE});
            }
            minima.get(second)[1] = Math.min(minima.get(second)[1], l[1]);
        }
        minima.removeIf(m -> m[1] == Double.MAX_VALUE);
        return SyncFigures.slopePerMinute(minima) / 60_000 * 1e6;
    }

    @Override
    public void close() {
        recorder.destroy();
        daemon.destroy();
        try {
            recorder.waitFor(5, TimeUnit.SECONDS);
            daemon.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        recorder.destroyForcibly();
        daemon.destroyForcibly();
    }
}
