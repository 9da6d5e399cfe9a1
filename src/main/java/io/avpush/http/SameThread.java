package io.avpush.http;

import java.util.concurrent.Executor;

/**
 * Runs a callback on the thread that completed the stage before it, as CompletableFuture's
 * methods without "Async" do. The stages Pekko returns (asks, a stream's result, an unmarshalled
 * body) are Scala futures seen as CompletionStage, and Scala runs every callback chained to them
 * on the default async executor instead: ForkJoinPool.commonPool, which on a machine of one or two
 * CPUs is no pool but a new thread for each callback (0.6 ms of CPU per MB streamed over the
 * WebSocket went to threads started and ended per message; docs/benchmarks.md, "Ingestion").
 * Chain callbacks that run per message, per upload or per part with the "Async" methods and this.
 */
final class SameThread {

    private SameThread() {}

    static final Executor EXECUTOR = Runnable::run;
}
