package io.avpush.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.avpush.pacing.Pacer;
import io.avpush.pacing.PushStats;
import io.avpush.playout.SessionEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongConsumer;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The session's door to the transport, alone: a pacer that holds every push until the test runs
 * it shows what reaches the viewer and when.
 */
@ExtendWith(TestKitJUnit5Extension.class)
class ViewerGroupTest {

    @JUnit5TestKit
    public ActorTestKit testKit = new JUnit5TestKitBuilder().build();

    /** Holds pushes in submission order; {@link #run} pushes the first {@code n} still held. */
    private static final class HeldPacer implements Pacer {
        final List<LongConsumer> held = new ArrayList<>();

        @Override
        public synchronized void at(long deadlineNs, LongConsumer task) {
            held.add(task);
        }

        synchronized int size() {
            return held.size();
        }

        void run(int n) {
            List<LongConsumer> due;
            synchronized (this) {
                due = new ArrayList<>(held.subList(0, n));
                held.subList(0, n).clear();
            }
            due.forEach(t -> t.accept(0));
        }
    }

    /**
     * An interrupt reaches the viewer's ears at once: of the audio released ahead of its deadline,
     * chunks the pacer already pushed were heard, the rest before the cut are pushed as silence, and
     * audio released after it plays.
     */
    @Test
    void anInterruptSilencesReleasedAudioThePacerHasNotPushedYet() {
        RecordingTransport output = new RecordingTransport();
        HeldPacer pacer = new HeldPacer();
        TestProbe<SyncSupervisor.ViewersChanged> viewers = testKit.createTestProbe();
        ActorRef<ViewerGroup.Command> peer = testKit.spawn(ViewerGroup.create(
                "s",
                output,
                pacer,
                new PushStats(),
                viewers.getRef(),
                Duration.ofSeconds(10),
                Duration.ofSeconds(15),
                16,
                new SessionEvents()));
        short[] tone = new short[480];
        Arrays.fill(tone, (short) 1000);
        for (long chunk = 0; chunk < 6; chunk++) {
            peer.tell(new ViewerGroup.PushAudio(chunk, tone, 0, chunk * 10_000_000L));
        }
        awaitHeld(pacer, 6);
        pacer.run(2); // chunks 0 and 1 were pushed (heard) before the interrupt
        peer.tell(new ViewerGroup.SilenceUnpushed(5));
        peer.tell(new ViewerGroup.PushAudio(6, tone, 0, 60_000_000L)); // released after the cut
        awaitHeld(pacer, 5);
        pacer.run(5);

        short[] heard = output.samplesCopy();
        for (int chunk = 0; chunk < 7; chunk++) {
            boolean loud = heard[chunk * 480] != 0;
            boolean expected = chunk < 2 || chunk >= 5;
            assertEquals(expected, loud, "chunk " + chunk + (expected ? " plays" : " is silent"));
        }
    }

    private static void awaitHeld(HeldPacer pacer, int n) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (pacer.size() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the pacer got " + pacer.size() + " of " + n + " pushes within 5 s");
            }
            Thread.onSpinWait();
        }
    }
}
