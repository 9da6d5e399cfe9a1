package io.avpush.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ViewerAgreementTest {

    @Test
    void skewIsLatestMinusEarliestDisplayOfEachMarker() {
        ViewerAgreement a = ViewerAgreement.of(
                List.of(new double[] {1000, 2000}, new double[] {1020, 2050}), new double[] {Double.NaN, Double.NaN});
        assertEquals(2, a.markers());
        assertEquals(20, a.medianSkewMs());
        assertEquals(50, a.maxSkewMs());
        assertEquals(List.of(0, 0), a.missed());
    }

    @Test
    void aViewerThatLeftIsNotExpectedToSeeLaterMarkersButTheOthersAre() {
        // Viewer 2 leaves at 2500 ms; viewer 1 misses the marker at 3000 ms, after the leave.
        ViewerAgreement a = ViewerAgreement.of(
                List.of(new double[] {1000, 2000, 3000, 4000}, new double[] {1010, 2010, 4010}, new double[] {1030, 2030
                }),
                new double[] {Double.NaN, Double.NaN, 2500});
        assertEquals(4, a.markers());
        assertEquals(30, a.maxSkewMs());
        assertEquals(List.of(0, 1, 0), a.missed());
        assertEquals(List.of(0, 1, 0), a.missedAfterLeave());
        assertEquals(2500, a.leaveMs());
    }

    @Test
    void aMarkerOnFramesThePageDidNotSampleIsUnsampledNotMissed() {
        // Viewer 1's page skipped the frames displayed 1990..2010 ms; its marker at 3000 ms is missed.
        ViewerAgreement a = ViewerAgreement.of(
                List.of(new double[] {1000, 2000, 3000}, new double[] {1000}),
                new double[] {Double.NaN, Double.NaN},
                List.of(new double[0][], new double[][] {{1990, 2010}}));
        assertEquals(List.of(0, 1), a.missed());
        assertEquals(List.of(0, 1), a.unsampled());
    }

    @Test
    void aMarkerMissedBeforeTheLeaveIsMissedButNotAfterIt() {
        ViewerAgreement a = ViewerAgreement.of(
                List.of(new double[] {1000, 2000, 3000}, new double[] {2010, 3010}), new double[] {Double.NaN, 2500});
        assertEquals(List.of(0, 1), a.missed());
        assertEquals(List.of(0, 0), a.missedAfterLeave());
    }
}
