package io.avpush.netlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImpairmentTest {

    private static final long MS = 1_000_000L;

    /** 2000 packets of 200 bytes, one every 5 ms, through {@code settings}; their fates in order. */
    private static List<Impairment.Fate> run(String settings, long seed) {
        Impairment impairment = new Impairment(Impairment.Settings.parse(settings), seed);
        List<Impairment.Fate> fates = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            fates.add(impairment.onPacket(i * 5 * MS, 200));
        }
        return fates;
    }

    @Test
    void aCleanPathSendsEveryPacketAtOnce() {
        List<Impairment.Fate> fates = run("none", 1);
        for (int i = 0; i < fates.size(); i++) {
            assertEquals(new Impairment.Fate(false, i * 5 * MS, false), fates.get(i));
        }
    }

    @ParameterizedTest
    @CsvSource({
        // settings,             min delay ms, max delay ms
        "'delay=40',                    40, 40",
        "'delay=40,jitter=15',          25, 55",
        "'delay=100,jitter=50',         50, 150",
    })
    void jitterSpreadsTheDelayAroundItsMeanWithoutReordering(String settings, double minMs, double maxMs) {
        List<Impairment.Fate> fates = run(settings, 7);
        long previous = Long.MIN_VALUE;
        double sum = 0;
        for (int i = 0; i < fates.size(); i++) {
            Impairment.Fate f = fates.get(i);
            double delayMs = (f.departureNs() - i * 5 * MS) / 1e6;
            assertTrue(delayMs >= minMs - 1e-6, "packet " + i + " left after " + delayMs + " ms");
            // Queue order holds: a packet may wait for the one ahead of it, which leaves by its maximum.
            assertTrue(delayMs <= maxMs + 1e-6, "packet " + i + " left after " + delayMs + " ms");
            assertTrue(f.departureNs() >= previous, "packet " + i + " overtook the one ahead of it");
            assertFalse(f.reordered());
            previous = f.departureNs();
            sum += delayMs;
        }
        double meanMs = sum / fates.size();
        assertTrue(meanMs >= (minMs + maxMs) / 2 - 1 && meanMs <= maxMs, "mean delay " + meanMs + " ms");
    }

    @ParameterizedTest
    @CsvSource({"1, 11", "1, 12", "5, 3", "25, 4"})
    void lossDropsItsShareOfPackets(double lossPercent, long seed) {
        long dropped = run("loss=" + lossPercent, seed).stream()
                .filter(Impairment.Fate::dropped)
                .count();
        double share = 100.0 * dropped / 2000;
        // 2000 draws: the binomial standard deviation is under 1 point; a seed gives one fixed count.
        assertTrue(
                Math.abs(share - lossPercent) <= 3 * Math.sqrt(lossPercent * (100 - lossPercent) / 2000),
                dropped + " of 2000 dropped at loss " + lossPercent + " %");
    }

    @Test
    void theSameSeedGivesTheSameFates() {
        assertEquals(run("delay=40,jitter=15,loss=1,reorder=2", 42), run("delay=40,jitter=15,loss=1,reorder=2", 42));
        assertFalse(run("delay=40,jitter=15,loss=1", 42).equals(run("delay=40,jitter=15,loss=1", 43)));
    }

    @Test
    void reorderLetsItsShareOvertakeTheQueue() {
        List<Impairment.Fate> fates = run("delay=40,jitter=15,reorder=5", 3);
        long reordered = fates.stream().filter(Impairment.Fate::reordered).count();
        long overtaking = 0;
        for (int i = 1; i < fates.size(); i++) {
            if (fates.get(i).departureNs() < fates.get(i - 1).departureNs()) {
                overtaking++;
            }
        }
        assertTrue(reordered > 0 && overtaking > 0, reordered + " reordered, " + overtaking + " overtaking");
        assertTrue(reordered <= 0.05 * 2000 * 1.5, reordered + " reordered of 2000 at 5 %");
    }

    /**
     * A 100 kbit/s bottleneck takes 16 ms for a 200-byte packet: packets every 5 ms queue up, leave
     * 16 ms apart, and once one would wait more than the 200 ms queue it is dropped: packet k waits
     * 16k − 5k = 11k ms, so packets 0 to 18 pass and 19 is the first dropped.
     */
    @Test
    void aBottleneckSpacesPacketsByTheirSizeAndDropsWhatOverflowsItsQueue() {
        List<Impairment.Fate> fates = run("rate=100,queue=200", 1);
        assertEquals(16 * MS, fates.get(0).departureNs());
        assertEquals(32 * MS, fates.get(1).departureNs());
        long sentFirst = fates.stream().limit(19).filter(f -> !f.dropped()).count();
        long dropped = fates.stream().filter(Impairment.Fate::dropped).count();
        assertEquals(19, sentFirst, "the first 19 packets fit in the queue");
        assertTrue(fates.get(19).dropped(), "packet 19 would wait 209 ms");
        // Over 10 s the bottleneck carries 625 packets of the 2000 offered; the rest overflow.
        assertTrue(dropped >= 2000 - 640 && dropped <= 2000 - 610, dropped + " dropped");
        long previous = 0;
        for (Impairment.Fate f : fates) {
            if (!f.dropped()) {
                assertTrue(f.departureNs() - previous >= 16 * MS, "packets 16 ms apart at least");
                previous = f.departureNs();
            }
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "delay=40,jitter=15,loss=1 | delay=40,jitter=15,loss=1,reorder=0,rate=0,queue=200",
                "loss=1%,delay=40ms        | delay=40,jitter=0,loss=1,reorder=0,rate=0,queue=200",
                "none                      | delay=0,jitter=0,loss=0,reorder=0,rate=0,queue=200",
                "rate=2000kbps,queue=50    | delay=0,jitter=0,loss=0,reorder=0,rate=2000,queue=50",
            })
    void settingsParseFromTheirText(String text, String parsed) {
        assertEquals(parsed, Impairment.Settings.parse(text).toString());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "delay=10,jitter=20 | jitter 20.0 ms (at most the delay)",
                "loss=120           | loss 120.0 %",
                "speed=3            | unknown impairment key 'speed'",
                "delay              | 'delay' is not key=value",
            })
    void impossibleSettingsAreRefusedWithTheReason(String text, String reason) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Impairment.Settings.parse(text));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
