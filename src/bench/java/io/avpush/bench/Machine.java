package io.avpush.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/** The machine and the process as a whole: CPU jiffies, load, RSS, live heap, GC pauses. */
final class Machine {

    /** Max GC pause seen while {@link #measuring}, from the collectors' notifications. */
    static final class Gc {
        static volatile boolean measuring;
        static volatile double maxPauseMs;
        static volatile String maxPauseWhat = "";

        static {
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof NotificationEmitter emitter) {
                    emitter.addNotificationListener(
                            (notification, handback) -> {
                                if (!measuring
                                        || !GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                                                notification.getType())) {
                                    return;
                                }
                                GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
                                        (CompositeData) notification.getUserData());
                                // "... Cycles" (ZGC, Shenandoah) and G1's "Concurrent GC" report concurrent work, not
                                // pauses
                                String name = info.getGcName();
                                if (!name.contains("Concurrent")
                                        && !name.contains("Cycles")
                                        && info.getGcInfo().getDuration() > maxPauseMs) {
                                    maxPauseMs = info.getGcInfo().getDuration();
                                    maxPauseWhat =
                                            info.getGcName() + " / " + info.getGcAction() + " / " + info.getGcCause();
                                }
                            },
                            null,
                            null);
                }
            }
        }
    }

    /** Busy and total jiffies summed over all CPUs, from the first line of /proc/stat. */
    static long[] machineJiffies() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
            for (int i = 1; i <= 8 && i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            return new long[] {total - idle, total};
        } catch (IOException e) {
            return new long[] {0, 0};
        }
    }

    static long liveHeapMb() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
    }

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            // Anonymous memory only: ZGC maps its heap as shared memory three times, which VmRSS counts thrice.
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private Machine() {}
}
