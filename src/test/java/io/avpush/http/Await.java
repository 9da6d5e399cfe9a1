package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

/** Waiting in HTTP tests for what a client will see: polls a condition every 20 ms until it holds. */
final class Await {

    /** A condition that may ask the server (and so throw). */
    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }

    private Await() {}

    /** Returns once {@code condition} holds; fails the test with "{@code what}: not within ..." after {@code timeout}. */
    static void until(Check condition, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            assertTrue(System.nanoTime() < deadline, what + ": not within " + timeout);
            Thread.sleep(20);
        }
    }
}
