package io.avpush.pacing;

import java.util.function.LongConsumer;

/** Runs a task at a monotonic deadline ({@link System#nanoTime()} domain), given the instant it ran. */
@FunctionalInterface
public interface Pacer {
    void at(long deadlineNs, LongConsumer task);

    /**
     * Runs {@code wake} at (not before) {@code deadlineNs}, with less precision than {@link #at}
     * (tens of microseconds): for waking an actor, which takes longer than that to run anyway.
     * {@code wake} must only hand on (e.g. {@code tell}); it runs on the pacer's thread.
     */
    default void wakeAt(long deadlineNs, Runnable wake) {
        parkedAt(deadlineNs, now -> wake.run());
    }

    /**
     * Runs {@code task} at (not before) {@code deadlineNs} like {@link #at}, in the same deadline
     * order, but without spinning to it (tens of microseconds late): for pushes whose exact instant
     * the viewer never sees, such as audio chunks (their RTP time counts samples, not push
     * instants), while a frame's push instant is its capture time.
     */
    default void parkedAt(long deadlineNs, LongConsumer task) {
        at(deadlineNs, task);
    }
}
