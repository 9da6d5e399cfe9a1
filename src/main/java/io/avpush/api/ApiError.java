package io.avpush.api;

/** An error a client gets as JSON: the HTTP status, a stable code and a message a person can act on. */
public record ApiError(int status, String error, String message) {
    public static ApiError badRequest(String message) {
        return new ApiError(400, "bad_request", message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, "not_found", message);
    }

    public static ApiError tooLarge(String message) {
        return new ApiError(413, "too_large", message);
    }

    public static ApiError tooMany(String message) {
        return new ApiError(429, "too_many", message);
    }

    public static ApiError unavailable(String message) {
        return new ApiError(503, "unavailable", message);
    }
}
