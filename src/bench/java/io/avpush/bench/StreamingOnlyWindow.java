package io.avpush.bench;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Allocation on the push path alone: a window with the servers' uploads paused, every session still streaming. */
record StreamingOnlyWindow(
        double seconds,
        long frames,
        long chunks,
        long pacerBytes,
        long pekkoBytes,
        long allBytes,
        Map<String, Long> bytesByGroup,
        Map<String, Double> cpuByGroup) {

    /** CPU s per stream-second of the server's threads (not receivers, not the bench client) while streaming only. */
    double serverCpu() {
        double sum = 0;
        for (Map.Entry<String, Double> e : cpuByGroup.entrySet()) {
            if (!List.of("decoder(recv)", "receiver-factory", "bench-client").contains(e.getKey())) {
                sum += e.getValue();
            }
        }
        return sum;
    }

    Map<String, Double> bytesPerFrameByGroup() {
        Map<String, Double> m = new TreeMap<>();
        bytesByGroup.forEach((k, v) -> m.put(k + " B/frame", v / (double) frames));
        return m;
    }
}
