package io.avpush.api;

import java.util.concurrent.CompletionException;

/** Async failures arrive wrapped in CompletionException; what a client is told is the cause inside. */
public final class Failures {
    private Failures() {}

    public static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
