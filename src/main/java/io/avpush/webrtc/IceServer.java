package io.avpush.webrtc;

import java.util.List;

/**
 * A STUN or TURN server offered to every peer connection of a node, as read from configuration.
 * {@code username} and {@code credential} are null for servers that need none (plain STUN).
 */
public record IceServer(List<String> urls, String username, String credential) {
    public IceServer {
        urls = List.copyOf(urls);
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("an ICE server needs at least one URL");
        }
    }
}
