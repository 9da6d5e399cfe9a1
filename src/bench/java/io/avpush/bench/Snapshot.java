package io.avpush.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import io.avpush.session.Transport;
import io.avpush.testing.ApiClient;
import io.avpush.webrtc.TestViewer;
import io.avpush.webrtc.Viewer;
import io.avpush.webrtc.ViewerStats;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The readings at one edge of a measured window: process and thread CPU, allocation, GC, each session's status and stats. */
final class Snapshot {
    long wallNs;
    long processCpuNs;
    Map<Integer, ThreadCpu> threadCpu;
    Map<Integer, Long> switches = Map.of(); // context switches (voluntary + involuntary) per thread
    Map<Long, Long> allocated = new HashMap<>();
    Map<Long, String> threadNames = new HashMap<>();
    long gcCount;
    long gcMs;
    long[] machine; // /proc/stat: busy and total jiffies of all CPUs
    List<JsonNode> status = new ArrayList<>();
    List<Integer> received = new ArrayList<>();
    List<ViewerStats> viewerStats = new ArrayList<>();
    // When each session's status (and received count) and its sender stats were read: under load, reading
    // N sessions takes seconds, so rates use each session's own interval, not the window's.
    List<Long> statusNs = new ArrayList<>();
    List<Long> statsNs = new ArrayList<>();

    /** Everything a window's figures are computed from, read now; each session's status through {@code api}. */
    static Snapshot take(ApiClient api, List<String> ids, List<TestViewer> receivers, Map<String, Transport> outputs)
            throws Exception {
        Snapshot s = new Snapshot();
        s.wallNs = System.nanoTime();
        s.processCpuNs = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        s.threadCpu = Threads.procThreadCpu();
        s.switches = Threads.procThreadSwitches();
        s.machine = Machine.machineJiffies();
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] tids = threads.getAllThreadIds();
        long[] alloc = threads.getThreadAllocatedBytes(tids);
        java.lang.management.ThreadInfo[] infos = threads.getThreadInfo(tids);
        for (int i = 0; i < tids.length; i++) {
            if (alloc[i] >= 0) {
                s.allocated.put(tids[i], alloc[i]);
                if (infos[i] != null) {
                    s.threadNames.put(tids[i], infos[i].getThreadName());
                }
            }
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!gc.getName().contains("Concurrent") && !gc.getName().contains("Cycles")) { // pauses only
                s.gcCount += gc.getCollectionCount();
                s.gcMs += gc.getCollectionTime();
            }
        }
        for (int i = 0; i < ids.size(); i++) {
            s.status.add(api.get("/api/sessions/" + ids.get(i)).expect(200));
            s.received.add(receivers.get(i).frames().size());
            s.statusNs.add(System.nanoTime());
            long asked = System.nanoTime();
            s.viewerStats.add(viewerStats(outputs.get(ids.get(i))));
            s.statsNs.add((asked + System.nanoTime()) / 2);
        }
        return s;
    }

    /** The server's Viewer of a session (reached through the output the session made), or null. */
    private static ViewerStats viewerStats(Transport o) {
        if (o == null) {
            return null;
        }
        try {
            for (Viewer v : FirstFrameTrace.viewersOf(o)) {
                return v.stats().toCompletableFuture().get(5, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            System.err.println("viewer stats not reachable: " + e);
        }
        return null;
    }
}
