package io.avpush.playout;

import io.avpush.api.ApiError;

/** An upload that cannot become a segment; carries the error the client gets. */
public final class SegmentRejectedException extends Exception {
    private final ApiError error;

    public SegmentRejectedException(ApiError error) {
        super(error.message());
        this.error = error;
    }

    public ApiError error() {
        return error;
    }
}
