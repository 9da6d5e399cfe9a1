package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The failure window with exact times: 3 failures per 60 s, as in the class comment. */
class CredentialFailuresTest {

    @ParameterizedTest(name = "failures at {0} s: at {1} s blocked for {2} s")
    @CsvSource(
            delimiter = ';',
            value = {
                "'';          0;  -",
                "0 10;        15; -",
                "0 10 20;     20; 40",
                "0 10 20;     25; 35",
                "0 10 20;     59; 1",
                "0 10 20;     60; -",
                "0 10 20 60;  60; 10",
                "0 10 20 60;  69; 1",
                "0 10 20 60;  70; -",
                "0 100 200;   200; -",
                "0 1 2 3 4 5; 5; 58",
            })
    void anAddressIsBlockedFromItsLastAllowedFailureUntilTheOldestCountedIsAWindowOld(
            String failuresS, long atS, String blockedS) {
        CredentialFailures limit = new CredentialFailures(3, Duration.ofSeconds(60), 100);
        for (String t : failuresS.trim().split(" +")) {
            if (!t.isEmpty()) {
                limit.failed("192.0.2.1", Long.parseLong(t) * 1000);
            }
        }
        Optional<Duration> expected =
                blockedS.equals("-") ? Optional.empty() : Optional.of(Duration.ofSeconds(Long.parseLong(blockedS)));
        assertEquals(expected, limit.blockedFor("192.0.2.1", atS * 1000));
        assertEquals(Optional.empty(), limit.blockedFor("192.0.2.2", atS * 1000), "another address is not blocked");
    }

    @ParameterizedTest(name = "max-failures {0}")
    @CsvSource({"0", "-1"})
    void zeroTurnsTheLimitOff(int maxFailures) {
        CredentialFailures off = new CredentialFailures(maxFailures, Duration.ofSeconds(60), 100);
        for (int i = 0; i < 1000; i++) {
            off.failed("192.0.2.1", i);
        }
        assertEquals(Optional.empty(), off.blockedFor("192.0.2.1", 1000));
    }

    @ParameterizedTest(name = "{0} addresses remembered")
    @CsvSource({"1", "3"})
    void theLeastRecentlyFailedAddressesAreForgottenBeyondTheBound(int maxAddresses) {
        CredentialFailures limit = new CredentialFailures(1, Duration.ofSeconds(60), maxAddresses);
        limit.failed("192.0.2.1", 0);
        for (int i = 0; i < maxAddresses; i++) {
            limit.failed("198.51.100." + i, 1);
        }
        assertEquals(Optional.empty(), limit.blockedFor("192.0.2.1", 2), "forgotten");
        assertEquals(Optional.of(Duration.ofMillis(59_999)), limit.blockedFor("198.51.100.0", 2), "remembered");
    }
}
