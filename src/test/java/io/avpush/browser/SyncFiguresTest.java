package io.avpush.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SyncFiguresTest {

    @ParameterizedTest
    @CsvSource({
        "'1,2,3,4', 50, 2",
        "'1,2,3,4', 95, 4",
        "'7', 95, 7",
        "'1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20', 95, 19",
    })
    void percentileIsNearestRank(String values, double p, double expected) {
        double[] sorted = java.util.Arrays.stream(values.split(","))
                .mapToDouble(Double::parseDouble)
                .toArray();
        assertEquals(expected, SyncFigures.percentile(sorted, p));
    }

    @Test
    void driftIsTheSlopePerMinuteAndStepTheLargestJump() {
        List<double[]> points =
                List.of(new double[] {60_000, 10}, new double[] {120_000, 11}, new double[] {180_000, 12});
        assertEquals(1.0, SyncFigures.slopePerMinute(points), 1e-9);
        assertEquals(1.0, SyncFigures.maxStep(points), 1e-9);
    }

    @Test
    void figuresFromAPageResult() throws Exception {
        String json = """
        {"expectedMarkers": 4, "flashes": [1000, 2000, 3000, 4000], "beeps": [1030, 2040, 3050],
         "offsets": [{"t": 1000, "offsetMs": 30}, {"t": 2000, "offsetMs": -45}, {"t": 7000, "offsetMs": 50},
                     {"t": 8000, "offsetMs": null}],
         "firstFrameLatencyMs": [80.5], "firstFrameFromSendMs": [180.5],
         "stats": [{"audio": {"samples": 48000, "concealed": 0}, "video": {"decoded": 10, "dropped": 0}},
                   {"audio": {"samples": 144000, "concealed": 960}, "video": {"decoded": 70, "dropped": 2}}]}
        """;
        SyncFigures f = SyncFigures.from(new ObjectMapper().readTree(json));
        assertEquals(3, f.paired());
        assertEquals(30, f.medianMs());
        assertEquals(45, f.p50AbsMs());
        assertEquals(50, f.maxAbsMs());
        assertEquals(1, f.outsideR37());
        assertEquals(1.0, f.concealedPercent(), 1e-9);
        assertEquals(2, f.framesDropped());
        assertEquals(List.of(80.5), f.firstFrameLatencyMs());
        assertEquals(List.of(180.5), f.firstFrameFromSendMs());
        assertEquals(List.of(30.0), f.medianPerWindowMs());
    }

    @Test
    void theServersPushStallsAreDatedOnThePagesClock() throws Exception {
        String json = """
        {"epochT0": 1700000000000.5, "expectedMarkers": 0,
         "status": {"reanchors": 1, "pushed": {"stalls": 3, "recentStalls": [
           {"dueEpochMs": 1700000190800, "lastDueEpochMs": 1700000190850, "maxLateMs": 61.25, "frames": 2, "chunks": 6}]}}}
        """;
        SyncFigures f = SyncFigures.from(new ObjectMapper().readTree(json));
        assertEquals(3, f.serverStalls());
        assertEquals(1, f.serverReanchors());
        assertEquals(List.of("190.8 s: 61.3 ms late (2 frames, 6 chunks)"), f.recentServerStalls());
    }

    @Test
    void everyMarkerIsAccountedForByItsBeep() throws Exception {
        // Markers at 1 … 9 s: 1, 2, 6 measured; 3 first seen on a later frame, so began in (2990, 3060]:
        // offset in [-50, +20), unknown; 8 likewise in [-23, +44): within R37; 9 in [+70, +137): outside;
        // 4 not seen while the page missed 4 frames (blind); 5 not seen with no such gap (missing flash);
        // a flash at 7 s has no beep.
        String json = """
        {"expectedMarkers": 9, "fps": 30, "flashes": [1000, 2000, 6000, 7000],
         "unmeasuredFlashes": [{"t": 3060, "after": 2990}, {"t": 8033, "after": 7966}, {"t": 9000, "after": 8933}],
         "beeps": [1020, 2010, 3010, 4010, 5010, 6010, 8010, 9070],
         "unsampled": [{"t": 4100, "frames": 4}, {"t": 5100, "frames": 2}],
         "offsets": [{"t": 1000, "offsetMs": 20}, {"t": 2000, "offsetMs": 10}, {"t": 6000, "offsetMs": 10},
                     {"t": 7000, "offsetMs": null}]}
        """;
        SyncFigures f = SyncFigures.from(new ObjectMapper().readTree(json));
        assertEquals(4, f.flashes());
        assertEquals(3, f.paired());
        assertEquals(3, f.unmeasuredFlashes());
        assertEquals(1, f.boundedInR37());
        assertEquals(1, f.boundedOutsideR37());
        assertEquals(1, f.blind());
        assertEquals(2, f.unmeasured());
        assertEquals(1, f.missingFlashes());
        assertEquals(1, f.missingBeeps());
    }

    /**
     * Ten minutes of markers a second apart at {@code fps}, shown on a {@code gridMs} refresh grid at
     * the first refresh after the instant meant (video latency 100 ms), heard {@code
     * audioDriftPerMin} ms/min later each minute and {@code audioStepMs} later from minute 5 on: the
     * page's result as headless Chromium would produce it.
     */
    private static ObjectNode tenMinutesOnTheGrid(
            double fps, double audioDriftPerMin, double audioStepMs, double gridMs) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode result = json.createObjectNode();
        ArrayNode flashes = result.putArray("flashes");
        ArrayNode rtps = result.putArray("flashRtp");
        ArrayNode offsets = result.putArray("offsets");
        ArrayNode beeps = result.putArray("beeps");
        double frameMs = 1000 / fps;
        for (int i = 0; i < 600; i++) {
            double content = frameMs * Math.ceil(i * 1000 / frameMs - 1e-9);
            double intended = content + 100;
            double shown = Math.rint((3.3 + gridMs * Math.ceil((intended - 3.3) / gridMs)) * 10) / 10;
            double heard = content + 100 + audioDriftPerMin * content / 60_000 + (i >= 300 ? audioStepMs : 0);
            flashes.add(shown);
            beeps.add(heard);
            rtps.add((4_000_000_000L + Math.round(90 * content)) % (1L << 32)); // wraps once on the way
            offsets.addObject().put("t", shown).put("offsetMs", Math.rint((heard - shown) * 10) / 10);
        }
        result.put("expectedMarkers", 600);
        return result;
    }

    @Test
    void at30FpsTheRefreshGridsSawtoothLooksLikeDriftAndCannotBeAveragedOut() {
        SyncFigures f = SyncFigures.from(tenMinutesOnTheGrid(30, 0, 0, 16.666));
        assertEquals(16.666, f.refreshMs(), 1e-4, f.describe());
        assertEquals(16.666 / 0.04, f.refreshSweepMs() / 1000, 5, f.describe()); // 0.04 ms a second: ~7 minutes
        // No drift and no step in the sync, yet the offsets wander over a refresh and wrap by one.
        double lowest = f.medianPerWindowMs().stream()
                .mapToDouble(Double::doubleValue)
                .min()
                .orElseThrow();
        double highest = f.medianPerWindowMs().stream()
                .mapToDouble(Double::doubleValue)
                .max()
                .orElseThrow();
        assertTrue(highest - lowest > 12 && f.maxStepMs() > 16, f.describe());
        assertTrue(Double.isNaN(f.driftRefreshRemovedMsPerMin()), f.describe());
    }

    @Test
    void at2997FpsTheQuantizationAveragesOutAndRealDriftAndStepsRemain() {
        SyncFigures still = SyncFigures.from(tenMinutesOnTheGrid(29.97, 0, 0, 16.666));
        assertEquals(16.666, still.refreshMs(), 1e-4, still.describe());
        assertEquals(16, still.refreshSweepMs() / 1000, 1, still.describe());
        assertTrue(still.maxStepMs() > 12, still.describe()); // the raw offsets sweep a refresh every 16 s
        assertEquals(0, still.driftRefreshRemovedMsPerMin(), 0.1, still.describe());
        assertTrue(still.maxStepRefreshRemovedMs() < 2, still.describe());

        SyncFigures drifting = SyncFigures.from(tenMinutesOnTheGrid(29.97, 2, 0, 16.666));
        assertEquals(2, drifting.driftRefreshRemovedMsPerMin(), 0.1, drifting.describe());
        SyncFigures stepping = SyncFigures.from(tenMinutesOnTheGrid(29.97, 0, -8, 16.666));
        assertEquals(8, stepping.maxStepRefreshRemovedMs(), 1, stepping.describe());
        SyncFigures at60 = SyncFigures.from(tenMinutesOnTheGrid(29.97, 1, 0, 1000.0 / 60));
        assertEquals(1000.0 / 60, at60.refreshMs(), 1e-4);
        assertEquals(1, at60.driftRefreshRemovedMsPerMin(), 0.1, at60.describe());
    }

    @Test
    void displayTimesOffAnyGridLeaveTheRefreshFiguresUnknown() {
        ObjectNode result = tenMinutesOnTheGrid(29.97, 0, 0, 16.666);
        ArrayNode flashes = (ArrayNode) result.get("flashes");
        for (int i = 0; i < flashes.size(); i++) {
            flashes.set(i, flashes.get(i).asDouble() + (i % 7) * 1.3); // a browser showing frames when they come
        }
        SyncFigures f = SyncFigures.from(result);
        assertTrue(Double.isNaN(f.refreshMs()) && Double.isNaN(f.driftRefreshRemovedMsPerMin()), f.describe());
    }
}
