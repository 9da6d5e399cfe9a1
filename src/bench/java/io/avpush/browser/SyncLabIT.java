package io.avpush.browser;

import io.avpush.netlab.Impairment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One {@link SyncLab} run as the system properties describe it: {@code avpush.lab.viewer} (plain,
 * plain-whep, eyevinn, demo), {@code avpush.lab.browser} (chromium, firefox), {@code
 * avpush.lab.seconds}, {@code avpush.lab.gapMs}, {@code avpush.lab.fps}, {@code avpush.lab.down} and
 * {@code avpush.lab.up} (impairments, e.g. "delay=40,jitter=15,loss=1"), {@code avpush.lab.seed},
 * {@code avpush.lab.out}; {@code avpush.lab.interrupts=N} measures N interrupts instead
 * ({@link SyncLab#interrupts}), {@code avpush.lab.outageMs=MS} an outage of the lab's path
 * ({@link SyncLab#outage}). It prints the figures and asserts nothing: {@code scripts/sync-bench.sh}
 * runs it. Tagged "bench": not part of the test run.
 */
@Tag("bench")
class SyncLabIT {

    @Test
    void run() throws Exception {
        String down = System.getProperty("avpush.lab.down", "none");
        SyncLab.Options options = new SyncLab.Options(
                SyncLab.Viewer.parse(System.getProperty("avpush.lab.viewer", "plain")),
                System.getProperty("avpush.lab.browser", "chromium"),
                Integer.getInteger("avpush.lab.seconds", 60),
                Integer.getInteger("avpush.lab.gapMs", 0),
                System.getProperty("avpush.lab.fps", "29.97"),
                Integer.getInteger("avpush.lab.width", 512),
                Integer.getInteger("avpush.lab.height", 512),
                Impairment.Settings.parse(down),
                Impairment.Settings.parse(System.getProperty("avpush.lab.up", down)),
                Long.getLong("avpush.lab.seed", 1),
                Path.of(System.getProperty(
                        "avpush.lab.out",
                        Files.createTempDirectory("avpush-sync-lab").toString())),
                Integer.getInteger("avpush.lab.idleFirstMs", 0));
        MeasurePage.require(SyncLab.missingReason(options));
        if (System.getProperty("avpush.lab.outageMs") != null) {
            SyncLab.Run run = SyncLab.outage(options, Integer.getInteger("avpush.lab.outageMs"));
            System.out.println("SYNC-LAB outage, " + options.describe() + ": "
                    + run.result().path("outage") + "\n" + run.figures().describe() + "\nresults: " + run.out());
            return;
        }
        if (System.getProperty("avpush.lab.interrupts") != null) {
            SyncLab.Run run = SyncLab.interrupts(options, Integer.getInteger("avpush.lab.interrupts"));
            System.out.println("SYNC-LAB interrupts, " + options.describe()
                    + ": interrupt reply to silence at the loudspeaker, ms: "
                    + run.result().path("interruptToSilenceMs") + "\nresults: " + run.out());
            return;
        }
        SyncLab.Run run = SyncLab.run(options);
        System.out.println(
                "SYNC-LAB " + options.describe() + "\n" + run.figures().describe() + "\nresults: " + run.out());
        System.out.println(
                "SYNC-ROW | " + options.describe() + " " + run.figures().row() + " first-frame latency ms "
                        + run.result().path("firstFrameLatencyMs"));
    }
}
