package io.avpush.cluster;

/**
 * Marks a message that crosses nodes: bound to Jackson CBOR in reference.conf
 * ({@code pekko.actor.serialization-bindings}); Java serialization stays off. The session
 * protocol ({@code Session.Command}, {@code Outcome}, {@code SessionStatus}) is bound there by
 * name, so the session package does not depend on the cluster.
 */
public interface CborSerializable {}
