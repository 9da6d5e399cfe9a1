package io.avpush.http;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Failed credentials per client address, so that nobody can guess API keys at the speed of the
 * network: an address that presented {@code maxFailures} wrong credentials within {@code window}
 * is refused until the oldest of them is {@code window} old.
 *
 * <p>Example, 3 failures per 60 s: failures at t = 0, 10 and 20 s block the address until t = 60 s
 * ({@link #blockedFor} at t = 25 s says 35 s); at t = 60 s the first failure has left the window and
 * two remain, so one more failure blocks it again until t = 70 s.
 *
 * <p>Thread-safe. Remembers at most {@code maxAddresses} addresses (least recently failed ones are
 * forgotten first), so that failures from many addresses cannot exhaust memory.
 */
final class CredentialFailures {

    private final int maxFailures;
    private final long windowMs;
    private final Map<String, Deque<Long>> failuresMs;

    /** @param maxFailures failures allowed within {@code window}; 0 turns the limit off */
    CredentialFailures(int maxFailures, Duration window, int maxAddresses) {
        this.maxFailures = maxFailures;
        this.windowMs = window.toMillis();
        this.failuresMs = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Deque<Long>> eldest) {
                return size() > maxAddresses;
            }
        };
    }

    /** How long {@code address} must still wait, if it is blocked at {@code nowMs}. */
    synchronized Optional<Duration> blockedFor(String address, long nowMs) {
        if (maxFailures <= 0) {
            return Optional.empty();
        }
        Deque<Long> failures = failuresMs.get(address);
        if (failures == null) {
            return Optional.empty();
        }
        forgetOld(failures, nowMs);
        if (failures.isEmpty()) {
            failuresMs.remove(address);
            return Optional.empty();
        }
        return failures.size() >= maxFailures
                ? Optional.of(Duration.ofMillis(failures.peekFirst() + windowMs - nowMs))
                : Optional.empty();
    }

    /** Counts one failed credential of {@code address} at {@code nowMs}. */
    synchronized void failed(String address, long nowMs) {
        if (maxFailures <= 0) {
            return;
        }
        Deque<Long> failures = failuresMs.computeIfAbsent(address, a -> new ArrayDeque<>());
        forgetOld(failures, nowMs);
        failures.addLast(nowMs);
        while (failures.size() > maxFailures) {
            failures.removeFirst(); // only the newest maxFailures decide when the block ends
        }
    }

    private void forgetOld(Deque<Long> failures, long nowMs) {
        while (!failures.isEmpty() && failures.peekFirst() + windowMs <= nowMs) {
            failures.removeFirst();
        }
    }
}
