package io.avpush.browser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Chromium's own audio/video synchronizer reported once a second, read from the log it
 * writes with {@code --vmodule=*stream_synchronization*=3} ({@link SyncLab} starts Chromium so).
 * Each report names the audio stream's delay (jitter buffer and playout) and the "current diff":
 * the relative delay of the two streams that Chromium derives from the sender's RTCP sender reports
 * and the packets' arrival. For a consistent sender that relative delay is a constant; before
 * avpush dated its sender reports by capture time it wandered by hundreds of ms (1477, 25, 55, 211,
 * −21 ms in consecutive reports), and the synchronizer kept moving the picture after it.
 *
 * <p>Example lines: {@code ...stream_synchronization.cc:71] Audio delay: 83 current diff: -10 for
 * stream 369651091} and {@code ...stream_synchronization.cc:164] Sync video delay 74 for video
 * stream 837196797 and audio delay 0 for audio stream 369651091}.
 *
 * @param relativeDelaysMs the "current diff" of every report, in order
 * @param audioDelaysMs the audio delay of every report, in order
 * @param videoDelaysMs every video delay the synchronizer set, in order
 */
record SynchronizerLog(int[] relativeDelaysMs, int[] audioDelaysMs, int[] videoDelaysMs) {

    private static final Pattern REPORT = Pattern.compile("Audio delay: (-?\\d+) current diff: (-?\\d+) for stream");
    private static final Pattern VIDEO_DELAY = Pattern.compile("Sync video delay (-?\\d+) for video stream");

    static SynchronizerLog read(Path chromiumLog) throws IOException {
        return parse(Files.readAllLines(chromiumLog, StandardCharsets.UTF_8));
    }

    static SynchronizerLog parse(List<String> lines) {
        List<Integer> relative = new ArrayList<>();
        List<Integer> audio = new ArrayList<>();
        List<Integer> video = new ArrayList<>();
        for (String line : lines) {
            Matcher report = REPORT.matcher(line);
            if (report.find()) {
                audio.add(Integer.parseInt(report.group(1)));
                relative.add(Integer.parseInt(report.group(2)));
            }
            Matcher set = VIDEO_DELAY.matcher(line);
            if (set.find()) {
                video.add(Integer.parseInt(set.group(1)));
            }
        }
        return new SynchronizerLog(ints(relative), ints(audio), ints(video));
    }

    int reports() {
        return relativeDelaysMs.length;
    }

    /** The median relative delay, ms (NaN without reports). */
    double medianRelativeDelayMs() {
        if (relativeDelaysMs.length == 0) {
            return Double.NaN;
        }
        int[] sorted = relativeDelaysMs.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    /** The largest distance of one report's relative delay from the median, ms (NaN without reports). */
    double maxRelativeDelayDeviationMs() {
        double median = medianRelativeDelayMs();
        return Arrays.stream(relativeDelaysMs)
                .mapToDouble(d -> Math.abs(d - median))
                .max()
                .orElse(Double.NaN);
    }

    String describe() {
        return String.format(
                Locale.ROOT,
                "Chromium's synchronizer: %d reports, relative delay median %.1f ms, max |x - median|"
                        + " %.1f ms; audio delay first %s ms, max %s ms, last %s ms; video delays set: %s",
                reports(),
                medianRelativeDelayMs(),
                maxRelativeDelayDeviationMs(),
                first(audioDelaysMs),
                max(audioDelaysMs),
                last(audioDelaysMs),
                Arrays.toString(videoDelaysMs));
    }

    private static int[] ints(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String first(int[] values) {
        return values.length == 0 ? "-" : String.valueOf(values[0]);
    }

    private static String last(int[] values) {
        return values.length == 0 ? "-" : String.valueOf(values[values.length - 1]);
    }

    private static String max(int[] values) {
        return values.length == 0
                ? "-"
                : String.valueOf(Arrays.stream(values).max().getAsInt());
    }
}
