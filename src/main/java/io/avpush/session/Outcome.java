package io.avpush.session;

/** The reply to an API command: a value, or an error the HTTP layer turns into a 4xx/5xx. */
public sealed interface Outcome<T> {
  record Ok<T>(T value) implements Outcome<T> {}

  record Failed<T>(ApiError error) implements Outcome<T> {}

  static <T> Outcome<T> ok(T value) {
    return new Ok<>(value);
  }

  static <T> Outcome<T> failed(ApiError error) {
    return new Failed<>(error);
  }
}
