package io.avpush.cluster;

import com.typesafe.config.Config;
import io.avpush.config.AuthSettings;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.pekko.cluster.ConfigValidation;
import org.apache.pekko.cluster.Invalid;
import org.apache.pekko.cluster.JoinConfigCompatChecker;
import org.apache.pekko.cluster.Valid;

/**
 * Pekko Cluster's join check for the viewer-token secret: a node whose secret differs from the
 * cluster's is refused at join (it never becomes a member), instead of joining and answering 401
 * to every viewer token another node issued. The secret itself never leaves the node: what the
 * nodes compare is {@link #fingerprint}, an HMAC of a fixed label under the secret.
 *
 * <p>Pekko runs the check when a node joins through its seed nodes (avpush.cluster.seed-nodes):
 * the seed node refuses the joining node and logs this class's message; the joining node logs
 * that its join was refused for its configuration and shuts down. Registered in
 * avpush-cluster.conf.
 */
public final class TokenSecretCheck extends JoinConfigCompatChecker {

    /** The key each node's fingerprint is under, set by {@link ClusterConfig#load}. */
    public static final String KEY = "avpush.cluster.token-secret-check";

    /** What a node in development mode (no API keys, no secret) has instead of a fingerprint. */
    static final String NO_SECRET = "none (development mode: no API keys, a random secret per process)";

    private static final String LABEL = "avpush cluster token-secret check";

    /**
     * base64url(HMAC-SHA256(secret, "avpush cluster token-secret check")), or {@link #NO_SECRET}.
     * The same secret gives the same fingerprint on every node; the fingerprint does not give the
     * secret back (a viewer token already shows an HMAC under it).
     */
    public static String fingerprint(AuthSettings auth) {
        if (auth.tokenSecret().isEmpty()) {
            return NO_SECRET;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(auth.tokenSecret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(mac.doFinal(LABEL.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    @Override
    public scala.collection.immutable.Seq<String> requiredKeys() {
        return scala.jdk.javaapi.CollectionConverters.asScala(List.of(KEY)).toList();
    }

    @Override
    public ConfigValidation check(Config toCheck, Config actualConfig) {
        String theirs = toCheck.hasPath(KEY) ? toCheck.getString(KEY) : null;
        String ours = actualConfig.hasPath(KEY) ? actualConfig.getString(KEY) : null;
        if (ours != null && ours.equals(theirs)) {
            return Valid.getInstance();
        }
        String message;
        if (theirs == null || ours == null) {
            message = "the nodes cannot compare their viewer-token secrets: " + KEY
                    + " is missing on one of them (a node "
                    + "that is not avpush, or not started by it); start every node with the same AVPUSH_TOKEN_SECRET";
        } else if (theirs.equals(NO_SECRET) || ours.equals(NO_SECRET)) {
            message = "avpush.auth.token-secret: one node runs in development mode (no API keys, no token secret) and "
                    + "the other does not; give every node of a cluster the same API keys and the same AVPUSH_TOKEN_SECRET";
        } else {
            message =
                    "avpush.auth.token-secret differs between the joining node and the cluster, so viewer tokens of one "
                            + "would be refused by the other; set the same AVPUSH_TOKEN_SECRET on every node and start the joining "
                            + "node again (the nodes compare an HMAC of the secret, never the secret)";
        }
        return new Invalid(
                scala.jdk.javaapi.CollectionConverters.asScala(List.of(message)).toList());
    }
}
