package io.avpush.session;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.avpush.api.ApiError;

/**
 * The reply to an API command: a value, or an error the HTTP layer turns into a 4xx/5xx. Crosses
 * nodes in cluster mode as CBOR; the value carries its class so it reads back as what it was.
 */
public sealed interface Outcome<T> {
    record Ok<T>(@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) T value) implements Outcome<T> {}

    record Failed<T>(ApiError error) implements Outcome<T> {}

    static <T> Outcome<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> Outcome<T> failed(ApiError error) {
        return new Failed<>(error);
    }
}
