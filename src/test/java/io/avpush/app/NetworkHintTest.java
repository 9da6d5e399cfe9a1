package io.avpush.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a node's log says at start about where media can flow. */
class NetworkHintTest {

    @Test
    void namesTheAddressesAndWhatAnSshTunnelOrAContainerPortDoesNotCarry() {
        String hint = NetworkHint.describe(List.of("10.0.0.5", "fd00::5"), 0);
        assertEquals(
                "WebRTC media goes over UDP between browsers and this machine's addresses 10.0.0.5, fd00::5, not "
                        + "through the HTTP port: a browser must reach one of them (open the page at http://10.0.0.5:PORT/ to check), "
                        + "or come through TURN; an SSH tunnel or a published container port carries HTTP only; no STUN/TURN server "
                        + "is configured (avpush.webrtc.ice-servers)",
                hint);
        assertTrue(NetworkHint.describe(List.of("fd00::5"), 2).contains("http://[fd00::5]:PORT/"));
        assertTrue(NetworkHint.describe(List.of("fd00::5"), 2).endsWith("2 STUN/TURN servers are configured"));
    }

    @Test
    void aMachineWithLoopbackOnlyIsToldNoBrowserWillGetMedia() {
        String hint = NetworkHint.describe(List.of(), 1);
        assertTrue(
                hint.startsWith("this machine has no network address but loopback, and WebRTC never offers 127.0.0.1: "
                        + "no browser will get media, not even one on this machine"),
                hint);
        assertTrue(hint.endsWith("(1 STUN/TURN server is configured)"), hint);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
        "fd00:0:0:0:0:0:0:2,      fd00::2",
        "fd00:0:0:0:0:0:0:2%eth0, fd00::2",
        "0:0:0:0:0:0:0:1,         ::1",
        "2001:db8:0:1:0:0:0:0,    2001:db8:0:1::",
        "2001:db8:0:1:0:1:0:1,    2001:db8:0:1:0:1:0:1",
    })
    void ipv6AddressesAreWrittenAsPeopleWriteThem(String full, String compact) {
        assertEquals(compact, NetworkHint.compact(full));
    }

    @Test
    void thisMachinesAddressesLeaveLoopbackAndLinkLocalOut() {
        for (String address : NetworkHint.mediaAddresses()) {
            assertFalse(
                    address.startsWith("127.") || address.equals("0:0:0:0:0:0:0:1") || address.startsWith("fe80"),
                    address);
        }
    }
}
