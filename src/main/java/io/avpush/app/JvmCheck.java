package io.avpush.app;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM settings that decide what a node costs, as every start path the project ships applies
 * them ({@code scripts/run.sh}, the Docker image and so the compose files): ZGC, a heap sized to
 * the machine, native access for webrtc-java. A node started some other way (plain
 * {@code java -jar}) says at start-up which of them it lacks and what that costs, one line each.
 */
final class JvmCheck {

    private JvmCheck() {}

    /** The heap setting every shipped start path gives (of the machine's or the container's memory). */
    static final String HEAP_FLAG = "-XX:MaxRAMPercentage=75";

    /**
     * What the check reads of a JVM.
     *
     * @param feature the Java release, e.g. 17
     * @param inputArguments the JVM's flags (RuntimeMXBean; JAVA_TOOL_OPTIONS included)
     * @param collectors the names of the garbage collector MXBeans, e.g. "ZGC Cycles", "G1 Young Generation"
     * @param maxHeapBytes Runtime.maxMemory()
     * @param nativeAccess whether the unnamed module may call native code (Java 22+); null before Java 22
     */
    record Jvm(
            int feature,
            List<String> inputArguments,
            List<String> collectors,
            long maxHeapBytes,
            Boolean nativeAccess) {

        static Jvm current() {
            List<String> collectors = ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .map(GarbageCollectorMXBean::getName)
                    .toList();
            return new Jvm(
                    Runtime.version().feature(),
                    ManagementFactory.getRuntimeMXBean().getInputArguments(),
                    collectors,
                    Runtime.getRuntime().maxMemory(),
                    nativeAccessEnabled());
        }

        /** Module.isNativeAccessEnabled() (Java 22+), read reflectively so that this compiles for 17. */
        private static Boolean nativeAccessEnabled() {
            try {
                return (Boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(JvmCheck.class.getModule());
            } catch (ReflectiveOperationException e) {
                return null;
            }
        }
    }

    /** One warning per setting that {@code jvm} lacks, saying what it costs and how to start instead. */
    static List<String> warnings(Jvm jvm) {
        List<String> warnings = new ArrayList<>();
        String collector = collector(jvm.collectors());
        if (!collector.equals("ZGC")) {
            warnings.add("running on " + collector + ": " + gcCost(collector)
                    + "; start with -XX:+UseZGC (scripts/run.sh and the Docker image do)");
        }
        if (jvm.inputArguments().stream().noneMatch(JvmCheck::setsHeap)) {
            warnings.add(String.format(
                    "heap left to the JVM's default (%d MB, a quarter of memory): uploads of raw frames "
                            + "(tens of MB each) and queued segments fill it, and ZGC then stalls threads that allocate, the pacer among "
                            + "them, or the node fails with OutOfMemoryError; start with %s (scripts/run.sh and the Docker image do) or "
                            + "-Xmx",
                    jvm.maxHeapBytes() >> 20, HEAP_FLAG));
        }
        if (Boolean.FALSE.equals(jvm.nativeAccess())) {
            warnings.add(
                    "native access is not enabled: Java " + jvm.feature() + " warns whenever webrtc-java and JNA load "
                            + "their native libraries, and later releases refuse to load them (no WebRTC at all); start with "
                            + "--enable-native-access=ALL-UNNAMED (scripts/run.sh and the Docker image do; java -jar avpush.jar has it "
                            + "from the jar's manifest)");
        }
        return warnings;
    }

    private static boolean setsHeap(String arg) {
        return arg.startsWith("-Xmx")
                || arg.startsWith("-XX:MaxHeapSize=")
                || arg.startsWith("-XX:MaxRAMPercentage=")
                || arg.startsWith("-XX:MaxRAM=")
                || arg.startsWith("-XX:MaxRAMFraction=");
    }

    /** The collector the MXBeans name: "ZGC Cycles" → ZGC, "G1 Young Generation" → G1, "Copy" → Serial, ... */
    static String collector(List<String> beanNames) {
        for (String name : beanNames) {
            if (name.startsWith("ZGC")) {
                return "ZGC";
            }
            if (name.startsWith("G1")) {
                return "G1";
            }
            if (name.startsWith("PS ")) {
                return "Parallel";
            }
            if (name.startsWith("Shenandoah")) {
                return "Shenandoah";
            }
            if (name.equals("Copy") || name.equals("MarkSweepCompact")) {
                return "Serial";
            }
        }
        return beanNames.isEmpty() ? "an unknown collector" : String.join(" and ", beanNames);
    }

    private static String gcCost(String collector) {
        return switch (collector) {
            case "G1" ->
                "GC pauses (up to 185 ms measured at 4 sessions) stall the pacer and viewers' lip sync, and its "
                        + "threads took 9 % of a core more than ZGC's at one stream";
            case "Parallel" -> "GC pauses (up to 300 ms measured at 4 sessions) stall the pacer and viewers' lip sync";
            case "Serial" ->
                "the JVM chose it because it sees a small machine (one CPU or under 1792 MB): every collection "
                        + "stops all threads, the pacer's too, for as long as it copies the queued frames";
            case "Shenandoah" ->
                "concurrent, but its pauses (3 ms max measured) are longer than ZGC's (under 1 ms), which the "
                        + "pacer's 25 ms release lead was measured with";
            default -> "the pacer's timing and the CPU figures were measured with ZGC only";
        };
    }
}
