package io.avpush.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The state a session's status shows, from its viewers, its queue and what plays. */
class SessionStateTest {

    @ParameterizedTest
    @CsvSource({
        // viewers connected, segments queued, a segment plays, state
        "0, 0, false, IDLE",
        "0, 0, true,  PLAYING",
        "0, 2, false, WAITING_FOR_VIEWER",
        "0, 2, true,  WAITING_FOR_VIEWER",
        "1, 0, false, IDLE",
        "1, 2, false, IDLE",
        "1, 2, true,  PLAYING",
    })
    void stateOfViewersQueueAndPlaying(int viewersConnected, int queued, boolean playing, SessionState state) {
        assertEquals(state, SessionState.of(viewersConnected, queued, playing));
    }
}
