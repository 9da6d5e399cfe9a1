package io.avpush.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.CRC32;
import org.apache.pekko.cluster.UniqueAddress;

/**
 * A node's short name in session ids: in cluster mode a session id is {@code <tag>-<random>}, and
 * the tag names the node that serves the session, one incarnation of it (its address and the uid
 * it got when it started, so a node restarted on the same address gets a new tag). The session's
 * shard id is the tag, and {@link NodeAllocationStrategy} puts that shard on that node.
 *
 * <p>Example: 127.0.0.1:25520 with uid 42 has a 6-letter tag such as {@code k3xq9m}; its
 * sessions are {@code k3xq9m-abcdefghjk}, ...
 */
public final class NodeTag {

    static final String ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
    private static final int LENGTH = 6;

    private NodeTag() {}

    /** 6 letters of the alphabet (5 bits each) from the CRC-32 of the address and uid. */
    public static String of(UniqueAddress node) {
        CRC32 crc = new CRC32();
        crc.update((node.address() + "#" + node.longUid()).getBytes(StandardCharsets.UTF_8));
        long bits = crc.getValue();
        StringBuilder tag = new StringBuilder(LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            tag.append(ALPHABET.charAt((int) (bits & 31)));
            bits >>>= 5;
        }
        return tag.toString();
    }

    /** The tag of a cluster session id, or empty if the id has no tag (not made in cluster mode). */
    public static Optional<String> ofSessionId(String sessionId) {
        int dash = sessionId.indexOf('-');
        if (dash != LENGTH || sessionId.length() <= LENGTH + 1) {
            return Optional.empty();
        }
        String tag = sessionId.substring(0, LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            if (ALPHABET.indexOf(tag.charAt(i)) < 0) {
                return Optional.empty();
            }
        }
        return Optional.of(tag);
    }
}
