package io.avpush.app;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The line a node logs at start about where its media goes. A page that loads proves only that
 * HTTP reaches the node; WebRTC media goes over UDP between the browser and the addresses the node
 * offers in its answer, which never include loopback (libwebrtc gathers no 127.0.0.1 candidate).
 * A newcomer behind an SSH tunnel, in a container or a VM gets a black video and no error unless
 * someone says so: the log says it first, the demo page again when ICE does not connect.
 */
final class NetworkHint {

    private NetworkHint() {}

    /**
     * The sentence for {@code addresses} (this machine's, loopback and link-local left out) and the
     * number of configured STUN/TURN servers. Example: ["10.0.0.5"], 0 → "WebRTC media goes over UDP
     * between browsers and 10.0.0.5 ... no STUN/TURN server is configured ...".
     */
    static String describe(List<String> addresses, int iceServers) {
        String relay = iceServers == 0
                ? "no STUN/TURN server is configured (avpush.webrtc.ice-servers)"
                : iceServers + " STUN/TURN server" + (iceServers == 1 ? " is" : "s are") + " configured";
        if (addresses.isEmpty()) {
            return "this machine has no network address but loopback, and WebRTC never offers 127.0.0.1: no browser will "
                    + "get media, not even one on this machine; give it a network interface, or a TURN server it can reach ("
                    + relay + ")";
        }
        return "WebRTC media goes over UDP between browsers and this machine's address"
                + (addresses.size() == 1 ? " " : "es ")
                + String.join(", ", addresses)
                + ", not through the HTTP port: a browser must reach one of them (open the "
                + "page at http://" + bracketed(addresses.get(0))
                + ":PORT/ to check), or come through TURN; an SSH tunnel or a "
                + "published container port carries HTTP only; " + relay;
    }

    /** This machine's addresses that WebRTC offers: up, not loopback, not link-local. */
    static List<String> mediaAddresses() {
        List<String> found = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (!address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                        found.add(
                                address instanceof Inet6Address
                                        ? compact(address.getHostAddress())
                                        : address.getHostAddress());
                    }
                }
            }
        } catch (SocketException e) {
            return List.of();
        }
        // IPv4 first: the address most people type.
        found.sort((a, b) -> Boolean.compare(a.contains(":"), b.contains(":")));
        return found;
    }

    /**
     * An IPv6 address as people write it: the zone dropped, the longest run of two or more zero
     * groups as "::". Example: "fd00:0:0:0:0:0:0:2%eth0" → "fd00::2".
     */
    static String compact(String ipv6) {
        int zone = ipv6.indexOf('%');
        String[] groups = (zone >= 0 ? ipv6.substring(0, zone) : ipv6).split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; i++) {
            int j = i;
            while (j < groups.length && groups[j].matches("0+")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
        }
        if (bestStart < 0) {
            return String.join(":", groups);
        }
        return String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart)) + "::"
                + String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
    }

    private static String bracketed(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }
}
