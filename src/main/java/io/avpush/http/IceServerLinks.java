package io.avpush.http;

import io.avpush.config.WebRtcSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/** The ICE servers of a WHEP answer as {@code Link} headers (RFC 9725 §4.6). */
final class IceServerLinks {
    private IceServerLinks() {}

    /**
     * One {@code Link: <url>; rel="ice-server"} per server URL, with username and credential for
     * TURN, as RFC 9725 §4.6 Figure 5 shows. Example: {@code <turn:t.example:3478>;
     * rel="ice-server"; username="u"; credential="p"}.
     */
    static List<HttpHeader> of(List<WebRtcSettings.IceServerSettings> servers) {
        List<HttpHeader> links = new ArrayList<>();
        for (WebRtcSettings.IceServerSettings server : servers) {
            for (String url : server.urls()) {
                StringBuilder link = new StringBuilder("<").append(url).append(">; rel=\"ice-server\"");
                if (server.username() != null) {
                    link.append("; username=").append(quoted(server.username()));
                }
                if (server.credential() != null) {
                    link.append("; credential=").append(quoted(server.credential()));
                }
                links.add(RawHeader.create("Link", link.toString()));
            }
        }
        return List.copyOf(links);
    }

    /** An RFC 9110 §5.6.4 quoted-string. */
    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
