package io.avpush.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a node says at start-up about the JVM settings it lacks, from the JVM's flags and GC beans. */
class JvmCheckTest {

    private static final List<String> SHIPPED =
            List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseZGC", JvmCheck.HEAP_FLAG);
    private static final List<String> ZGC = List.of("ZGC Cycles", "ZGC Pauses");
    private static final long GB = 1L << 30;

    @Test
    void aNodeStartedAsShippedSaysNothing() {
        assertEquals(List.of(), JvmCheck.warnings(new JvmCheck.Jvm(17, SHIPPED, ZGC, 18 * GB, null)));
        assertEquals(
                List.of(),
                JvmCheck.warnings(
                        new JvmCheck.Jvm(24, SHIPPED, List.of("ZGC Minor Cycles", "ZGC Major Pauses"), 18 * GB, true)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "G1 Young Generation,G1 Concurrent GC,G1 Old Generation | G1 | up to 185 ms",
                "PS Scavenge,PS MarkSweep | Parallel | up to 300 ms",
                "Copy,MarkSweepCompact | Serial | sees a small machine",
                "Shenandoah Pauses,Shenandoah Cycles | Shenandoah | 3 ms max"
            })
    void anotherCollectorIsOneWarningThatNamesItItsCostAndTheFlag(String beans, String name, String cost) {
        List<String> w = JvmCheck.warnings(new JvmCheck.Jvm(17, SHIPPED, List.of(beans.split(",")), 18 * GB, null));
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("running on " + name + ": "), w.get(0));
        assertTrue(w.get(0).contains(cost) && w.get(0).contains("start with -XX:+UseZGC (scripts/run.sh"), w.get(0));
    }

    @Test
    void aHeapLeftToTheDefaultIsOneWarningWithItsSizeAndTheFlag() {
        List<String> w = JvmCheck.warnings(new JvmCheck.Jvm(17, List.of("-XX:+UseZGC"), ZGC, 6 * GB, null));
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("heap left to the JVM's default (6144 MB, a quarter of memory)"), w.get(0));
        assertTrue(w.get(0).contains("start with -XX:MaxRAMPercentage=75"), w.get(0));
        for (String heap :
                List.of("-Xmx4g", "-XX:MaxHeapSize=4294967296", "-XX:MaxRAMPercentage=50", "-XX:MaxRAM=8g")) {
            assertEquals(
                    List.of(),
                    JvmCheck.warnings(new JvmCheck.Jvm(17, List.of("-XX:+UseZGC", heap), ZGC, 4 * GB, null)),
                    heap);
        }
    }

    @Test
    void nativeAccessIsWarnedAboutWhereTheJdkSaysItIsOff() {
        List<String> w = JvmCheck.warnings(new JvmCheck.Jvm(24, List.of("-XX:+UseZGC", "-Xmx4g"), ZGC, 4 * GB, false));
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("native access is not enabled: Java 24 warns"), w.get(0));
        assertTrue(w.get(0).contains("--enable-native-access=ALL-UNNAMED"), w.get(0));
        // Before Java 22 there is nothing to enable or warn about.
        assertEquals(
                List.of(),
                JvmCheck.warnings(new JvmCheck.Jvm(17, List.of("-XX:+UseZGC", "-Xmx4g"), ZGC, 4 * GB, null)));
    }

    @Test
    void plainJavaOnASmallMachineLacksTheCollectorAndTheHeapEachSaidOnOneLine() {
        List<String> w =
                JvmCheck.warnings(new JvmCheck.Jvm(17, List.of(), List.of("Copy", "MarkSweepCompact"), GB / 2, null));
        assertEquals(2, w.size(), w.toString());
        w.forEach(line -> assertTrue(!line.contains("\n"), line));
    }

    @Test
    void everyShippedStartPathAppliesTheSettings() throws Exception {
        String run = Files.readString(Path.of("scripts/run.sh"));
        String docker = Files.readString(Path.of("Dockerfile"));
        String entrypoint = docker.lines()
                .filter(l -> l.startsWith("ENTRYPOINT"))
                .findFirst()
                .orElse("");
        for (String flag : SHIPPED) {
            assertTrue(
                    run.contains(flag.equals("-XX:+UseZGC") ? "GC_OPTS=\"-XX:+UseZGC" : flag),
                    "scripts/run.sh lacks " + flag);
            assertTrue(entrypoint.contains(flag), "the Dockerfile's ENTRYPOINT lacks " + flag + ": " + entrypoint);
        }
        for (String compose : List.of("docker-compose.yml", "docker-compose.single.yml")) {
            String file = Files.readString(Path.of(compose));
            assertTrue(
                    file.contains("build: .") && !file.contains("entrypoint:") && !file.contains("command:"),
                    compose + " runs the image's ENTRYPOINT as built from the Dockerfile");
        }
    }
}
