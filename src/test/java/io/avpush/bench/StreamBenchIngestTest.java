package io.avpush.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bench's ingestion figure counts the server's threads only, in ms from 10 ms clock ticks. */
class StreamBenchIngestTest {

    @Test
    void theUploadClientsThreadsAreNotCountedAndNewThreadsCountFromZero() {
        Map<Integer, ThreadCpu> before = Map.of(
                1, new ThreadCpu("avpush-pekko.ac", 100),
                2, new ThreadCpu("HttpClient-1-Wo", 50),
                3, new ThreadCpu("java", 10));
        Map<Integer, ThreadCpu> after = Map.of(
                1, new ThreadCpu("avpush-pekko.ac", 130), // 30 ticks on a Pekko thread
                2, new ThreadCpu("HttpClient-1-Wo", 90), // the JDK client: not the server
                3, new ThreadCpu("java", 40), // the main thread waiting for replies
                4, new ThreadCpu("avpush-avpush-b", 7), // born during the uploads: all its ticks
                5, new ThreadCpu("C2 CompilerThre", 5));

        Map<String, Double> ms = IngestRun.ingestCpuMs(before, after);

        assertEquals(Map.of("pekko", 300.0, "decode-dispatcher", 70.0, "jit", 50.0), ms);
        assertEquals(Map.of("pekko", 150.0, "decode-dispatcher", 35.0, "jit", 25.0), Figures.perMegabyte(ms, 2.0));
    }
}
