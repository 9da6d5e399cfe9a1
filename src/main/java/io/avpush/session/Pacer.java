package io.avpush.session;

import java.util.function.LongConsumer;

/** Runs a task at a monotonic deadline ({@link System#nanoTime()} domain), given the instant it ran. */
@FunctionalInterface
public interface Pacer {
  void at(long deadlineNs, LongConsumer task);
}
