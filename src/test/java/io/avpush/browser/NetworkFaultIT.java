package io.avpush.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.avpush.netlab.Impairment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A viewer on a bad network, through the network lab ({@link SyncLab}, a plain page in headless
 * Chromium on a viewer host behind a userspace router): 5 % loss each way keeps playing (NACK and
 * RTX for video, Opus with in-band FEC), a 5 s outage recovers without a new offer once the path
 * is back, and a 30 s outage frees the viewer (avpush.limits.disconnected-timeout, 10 s). Run
 * inside {@code scripts/in-netns.sh} as root; longer runs: {@code scripts/sync-bench.sh net=... outage=...}.
 */
@Tag("browser")
class NetworkFaultIT {

    @Test
    void fivePercentLossEachWayKeepsPlaying() throws Exception {
        Impairment.Settings lossy = Impairment.Settings.parse("delay=20,loss=5");
        SyncLab.Run run = SyncLab.run(options("loss", 60, lossy));
        LabFigures f = run.figures();
        JsonNode last = lastStats(run.result());
        long freezes = last.path("video").path("freezes").asLong();
        System.out.println("NetworkFaultIT 5 % loss: " + run.result().path("network") + "\n" + f.describe()
                + "\nfreezes " + freezes + "; audio packets lost "
                + last.path("raw").path("audio").path("packetsLost")
                + ", video packets lost " + last.path("raw").path("video").path("packetsLost") + ", NACKs "
                + last.path("raw").path("video").path("nackCount") + " (results: " + run.out() + ")");
        String all = "\n" + f.describe();
        assertTrue(f.everyFlashShown(), "a marker's flash was not shown" + all);
        assertTrue(f.concealedPercent() <= 5, "audio concealed " + f.concealedPercent() + " %" + all);
        assertTrue(freezes <= 1, freezes + " video freezes in a minute" + all);
    }

    @Test
    void aFiveSecondOutageRecoversWithinTwoSecondsOfThePathReturning() throws Exception {
        JsonNode outage = outage(5_000);
        assertEquals(1, outage.path("viewersAfter").asInt(), "the viewer is still served after the outage: " + outage);
        assertTrue(
                outage.path("resumedAfterMs").isNumber(), "the picture never moved again after the outage: " + outage);
        assertTrue(
                outage.path("resumedAfterMs").asDouble() <= 2_000,
                "the picture moved again " + outage.path("resumedAfterMs") + " ms after the path returned");
    }

    @Test
    void aThirtySecondOutageFreesTheViewer() throws Exception {
        JsonNode outage = outage(30_000);
        assertEquals(
                0,
                outage.path("viewersAfter").asInt(),
                "avpush still counts the viewer after 30 s unreachable: " + outage);
    }

    /** A total outage of {@code ms} in both directions during a 30 s run; what the lab saw of it. */
    private static JsonNode outage(int ms) throws Exception {
        SyncLab.Run run = SyncLab.outage(options("outage-" + ms / 1000 + "s", 30, Impairment.Settings.NONE), ms);
        JsonNode outage = run.result().path("outage");
        System.out.println("NetworkFaultIT " + ms / 1000 + " s outage: " + outage + " (results: " + run.out() + ")");
        return outage;
    }

    private static SyncLab.Options options(String label, int seconds, Impairment.Settings net) throws Exception {
        String out = System.getProperty("avpush.sync.out");
        SyncLab.Options options = new SyncLab.Options(
                SyncLab.Viewer.PLAIN,
                "chromium",
                seconds,
                0,
                "30",
                320,
                240,
                net,
                net,
                3,
                out != null ? Path.of(out, "fault-" + label) : Files.createTempDirectory("avpush-fault-" + label));
        MeasurePage.require(SyncLab.missingReason(options).or(io.avpush.netlab.NetworkLab::missingReason));
        return options;
    }

    private static JsonNode lastStats(JsonNode result) {
        JsonNode stats = result.path("stats");
        return stats.size() == 0 ? result.path("none") : stats.get(stats.size() - 1);
    }
}
