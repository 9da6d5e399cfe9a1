package io.avpush.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** IngestBench counts the server's threads by group, and threads that ended from the process's own count. */
class IngestBenchTest {

    @Test
    void clientThreadsAreLeftOutAndEndedThreadsAreTheProcessTicksNoLiveThreadHas() {
        Map<Integer, ThreadCpu> before = Map.of(
                1, new ThreadCpu("avpush-pekko.ac", 100),
                2, new ThreadCpu("HttpClient-1-Wo", 50),
                3, new ThreadCpu("Thread-17", 5)); // ends before the second reading
        Map<Integer, ThreadCpu> after = Map.of(
                1, new ThreadCpu("avpush-pekko.ac", 130), // 30 ticks
                2, new ThreadCpu("HttpClient-1-Wo", 90), // the JDK client: 40, not the server's
                4, new ThreadCpu("avpush-avpush-b", 7), // born meanwhile: all 7
                5, new ThreadCpu("avpush-pekko.io", 3));

        // The process used 100 ticks: 80 by live threads, 20 by threads that ended (Thread-17 and others).
        Map<String, Double> ms = IngestBench.cpuMs(before, after, 100);

        assertEquals(Map.of("pekko", 300.0, "decode", 70.0, "pekko-io", 30.0, "ended", 200.0), ms);
    }
}
