package io.avpush.netlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.testing.Hosts;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The lab's path as a packet sees it: datagrams from this namespace to an echo on the viewer host
 * ({@code socat}) and back take the configured delay each way, spread by the jitter, and the
 * configured share is lost; an outage (loss 100 % each way) stops everything until it is lifted.
 * Run inside {@code scripts/in-netns.sh} as root.
 */
@Tag("webrtc")
class NetworkLabIT {

    private static final int ECHO_PORT = 9999;

    @Test
    void datagramsTakeTheConfiguredDelayJitterAndLossBothWays() throws Exception {
        require();
        Path dir = Files.createTempDirectory("avpush-netlab");
        try (NetworkLab lab = NetworkLab.start(
                        dir,
                        Impairment.Settings.parse("delay=40,jitter=10,loss=5"),
                        Impairment.Settings.parse("delay=10,loss=5"),
                        17);
                Echo echo = Echo.start(lab, dir)) {
            double[] rtts = pingPong(400, 10);
            long answered = Arrays.stream(rtts).filter(r -> r >= 0).count();
            double[] got = Arrays.stream(rtts).filter(r -> r >= 0).sorted().toArray();
            double mean = Arrays.stream(got).average().orElse(Double.NaN);
            System.out.printf(
                    Locale.ROOT,
                    "netlab: %d of 400 echoed; round trip min %.1f mean %.1f max %.1f ms; %s%n",
                    answered,
                    got[0],
                    mean,
                    got[got.length - 1],
                    lab.describe());
            lab.check();
            // Each way loses 5 %: about 9.75 % of round trips; 400 of them give a standard deviation of 1.5 points.
            double lostPercent = 100.0 * (400 - answered) / 400;
            assertTrue(lostPercent >= 3 && lostPercent <= 18, lostPercent + " % of round trips lost");
            // Down 40 ± 10 ms, up 10 ms: nothing comes back in under 40 ms; the rest is the jitter and the queue.
            assertTrue(got[0] >= 40, "fastest round trip " + got[0] + " ms");
            assertTrue(mean >= 48 && mean <= 75, "mean round trip " + mean + " ms");
            Link.Counts down = lab.downCounts();
            assertTrue(down.dropped() > 0 && down.sent() > 0, "down: " + down);
        }
    }

    @Test
    void anOutageStopsEveryPacketUntilItIsLifted() throws Exception {
        require();
        Path dir = Files.createTempDirectory("avpush-netlab");
        try (NetworkLab lab = NetworkLab.start(dir, Impairment.Settings.NONE, Impairment.Settings.NONE, 5);
                Echo echo = Echo.start(lab, dir)) {
            assertEquals(20, Arrays.stream(pingPong(20, 10)).filter(r -> r >= 0).count(), "a clean path echoes all");
            Impairment.Settings outage = Impairment.Settings.parse("loss=100");
            lab.impair(outage, outage);
            assertEquals(0, Arrays.stream(pingPong(20, 10)).filter(r -> r >= 0).count(), "nothing passes an outage");
            lab.impair(Impairment.Settings.NONE, Impairment.Settings.NONE);
            assertEquals(20, Arrays.stream(pingPong(20, 10)).filter(r -> r >= 0).count(), "all passes again after it");
        }
    }

    /** {@code count} numbered datagrams {@code intervalMs} apart; each one's round trip in ms, or -1 if lost. */
    private static double[] pingPong(int count, int intervalMs) throws IOException, InterruptedException {
        double[] rtts = new double[count];
        Arrays.fill(rtts, -1);
        long[] sentAt = new long[count];
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(NetworkLab.SERVER_ADDRESS, 0))) {
            socket.setSoTimeout(50);
            InetSocketAddress echo = new InetSocketAddress(NetworkLab.VIEWER_ADDRESS, ECHO_PORT);
            byte[] in = new byte[64];
            long start = System.nanoTime();
            long end = start + TimeUnit.MILLISECONDS.toNanos((long) count * intervalMs + 1_000);
            int next = 0;
            while (System.nanoTime() < end) {
                if (next < count
                        && System.nanoTime() >= start + TimeUnit.MILLISECONDS.toNanos((long) next * intervalMs)) {
                    byte[] out = ByteBuffer.allocate(8)
                            .putInt(next)
                            .putInt(0x6176706c)
                            .array();
                    sentAt[next] = System.nanoTime();
                    socket.send(new DatagramPacket(out, out.length, echo));
                    next++;
                    continue;
                }
                try {
                    DatagramPacket p = new DatagramPacket(in, in.length);
                    socket.setSoTimeout(Math.max(1, intervalMs / 2));
                    socket.receive(p);
                    int seq = ByteBuffer.wrap(p.getData(), 0, p.getLength()).getInt();
                    if (seq >= 0 && seq < count && rtts[seq] < 0) {
                        rtts[seq] = (System.nanoTime() - sentAt[seq]) / 1e6;
                    }
                } catch (SocketTimeoutException e) {
                    // nothing back yet
                }
            }
        }
        return rtts;
    }

    private static void require() {
        Optional<String> missing = NetworkLab.missingReason()
                .or(() -> Hosts.onPath("socat")
                        ? Optional.empty()
                        : Optional.of("socat is not installed (apt-get install -y socat)"));
        if (missing.isPresent()) {
            if (System.getenv("CI") != null) {
                throw new AssertionError(missing.get() + "; CI must run the network lab");
            }
            Assumptions.abort(missing.get());
        }
    }

    /** A UDP echo on the viewer host. */
    private record Echo(Process process) implements AutoCloseable {
        static Echo start(NetworkLab lab, Path dir) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(lab.onViewerHost());
            command.addAll(List.of("socat", "UDP-RECVFROM:" + ECHO_PORT + ",fork,reuseaddr", "PIPE"));
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("echo.log").toFile())
                    .start();
            List<String> listening = new ArrayList<>(lab.onViewerHost());
            listening.addAll(List.of("ss", "-Hlnu", "sport = :" + ECHO_PORT));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                Process ss =
                        new ProcessBuilder(listening).redirectErrorStream(true).start();
                String out = new String(ss.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                ss.waitFor(5, TimeUnit.SECONDS);
                if (out.contains(":" + ECHO_PORT)) {
                    return new Echo(p);
                }
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroy();
                    throw new IOException(
                            "the echo on the viewer host did not listen within 10 s; see " + dir.resolve("echo.log"));
                }
                Thread.sleep(50);
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            process.waitFor(3, TimeUnit.SECONDS);
        }
    }
}
