package io.avpush.webrtc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Disposal that goes on. webrtc-java throws {@link Error} ("Native object was not deleted") when a
 * native object is still referenced elsewhere; that must not stop the rest of a shutdown.
 */
final class Natives {
    private static final Logger log = LoggerFactory.getLogger(Natives.class);

    private Natives() {}

    /** True when the disposal went through. */
    static boolean dispose(String what, Runnable disposal) {
        try {
            disposal.run();
            return true;
        } catch (RuntimeException | Error e) {
            log.warn("disposing {} failed: {}", what, e.toString());
            return false;
        }
    }
}
