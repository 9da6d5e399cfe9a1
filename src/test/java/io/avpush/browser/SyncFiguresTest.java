package io.avpush.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
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
    double[] sorted = java.util.Arrays.stream(values.split(",")).mapToDouble(Double::parseDouble).toArray();
    assertEquals(expected, SyncFigures.percentile(sorted, p));
  }

  @Test
  void driftIsTheSlopePerMinuteAndStepTheLargestJump() {
    List<double[]> points = List.of(new double[] {60_000, 10}, new double[] {120_000, 11}, new double[] {180_000, 12});
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
}
