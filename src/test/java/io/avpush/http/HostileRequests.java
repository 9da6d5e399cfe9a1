package io.avpush.http;

import io.avpush.media.Fuzz;
import io.avpush.testing.ApiClient;
import io.avpush.testing.ApiClient.Part;
import io.avpush.testing.SyntheticMedia;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The hostile requests {@link ApiFuzzTest} sends, seeded: JSON of the wrong types, bodies that are
 * not UTF-8, garbage multipart bodies and part headers, broken WAVs, odd frame sizes and rates,
 * SDP that is not SDP, odd methods, paths and headers, raw requests too malformed for the routes,
 * and stream control messages of every shape. Each says whether it was built to be refused.
 */
final class HostileRequests {
    /** The fuzzed sessions' frame size. */
    static final int W = 32;

    static final int H = 24;
    static final int FRAME_BYTES = W * H * 3;
    static final String BOUNDARY = "fuzz-boundary-0123";

    private HostileRequests() {}

    /** A request and whether the generator built it to be refused. */
    record Request(String what, String method, String path, String contentType, byte[] body, boolean mustFail) {}

    static Request request(Random r, String victim, String target) {
        String session = r.nextInt(3) == 0 ? victim : target;
        return switch (r.nextInt(9)) {
            case 0, 1 -> createRequest(r);
            case 2 -> offerRequest(r, session);
            case 3, 4, 5 -> uploadRequest(r, session, session.equals(victim));
            case 6 -> whepRequest(r, session, target);
            case 7 -> pathRequest(r, session);
            default -> headerRequest(r, session);
        };
    }

    static Request createRequest(Random r) {
        String body = r.nextInt(4) == 0 ? jsonValue(r, 0) : jsonObject(r, List.of("fps", "width", "height"));
        if (r.nextInt(8) == 0 && !body.isEmpty()) {
            body = body.substring(0, r.nextInt(body.length()));
        }
        boolean trailing = r.nextInt(10) == 0 && !body.isBlank();
        if (trailing) {
            body = body + pick(r, " {}", " 1", "\"x\"", " null", "]", " {\"fps\": 30}");
        }
        String type = pick(r, "application/json", "application/json", "text/plain", "application/json; charset=utf-16");
        Request request = new Request(
                "create " + (trailing ? "with a trailing value " : "") + shorten(body),
                "POST",
                "/api/sessions",
                type,
                body.getBytes(StandardCharsets.UTF_8),
                trailing && type.startsWith("application/json"));
        return r.nextInt(8) == 0 ? notUtf8(r, request) : request;
    }

    /** The request with bytes that are not UTF-8 put into its body: every such body is refused. */
    static Request notUtf8(Random r, Request request) {
        byte[] bad = pick(
                r,
                new byte[] {(byte) 0xff},
                new byte[] {(byte) 0xc3, '('},
                new byte[] {(byte) 0xc0, (byte) 0xaf},
                new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                new byte[] {(byte) 0xe2, (byte) 0x82},
                new byte[] {(byte) 0x80},
                new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80});
        byte[] body = request.body();
        int at = r.nextInt(body.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(body, 0, at);
        out.writeBytes(bad);
        out.write(body, at, body.length - at);
        return new Request(
                request.what() + " with bytes that are not UTF-8",
                request.method(),
                request.path(),
                request.contentType(),
                out.toByteArray(),
                request.contentType().startsWith("application/json"));
    }

    static Request offerRequest(Random r, String session) {
        String sdp = sdp(r);
        String body = switch (r.nextInt(5)) {
            case 0 -> jsonValue(r, 0);
            case 1 -> jsonObject(r, List.of("sdp", "type"));
            case 2 -> sdp;
            default ->
                "{\"sdp\": " + quote(sdp) + ", \"type\": "
                        + pick(r, "\"offer\"", "\"answer\"", "null", "1", "[]", "\"pranswer\"") + "}";
        };
        // The fake transport answers any SDP that starts with v=0; everything else must be refused.
        boolean mayConnect = body.contains("v=0");
        Request request = new Request(
                "offer " + shorten(body),
                "POST",
                "/api/sessions/" + session + "/offer",
                "application/json",
                body.getBytes(StandardCharsets.UTF_8),
                !mayConnect);
        return r.nextInt(8) == 0 ? notUtf8(r, request) : request;
    }

    static Request uploadRequest(Random r, String session, boolean victim) {
        String path = "/api/sessions/" + session + "/segments";
        int kind = victim ? 2 + r.nextInt(6) : r.nextInt(8);
        switch (kind) {
            case 0, 1 -> {
                // well framed, contents anything: may be a good segment (only for the target)
                List<Part> parts = new ArrayList<>();
                if (r.nextInt(3) != 0) {
                    parts.add(Part.file("audio", "a.wav", Fuzz.wav(r)));
                }
                if (r.nextInt(2) == 0) {
                    parts.add(Part.file(
                            "video",
                            "v.bgr",
                            new byte[r.nextBoolean() ? FRAME_BYTES * r.nextInt(30) : r.nextInt(3 * FRAME_BYTES)]));
                    addField(r, parts, "width", W);
                    addField(r, parts, "height", H);
                }
                if (r.nextInt(3) == 0) {
                    parts.add(Part.field("fps", Fuzz.fps(r)));
                }
                if (r.nextInt(10) == 0) {
                    parts.add(Part.field(pick(r, "subtitles", "", "AUDIO", "audio\"; x=\"1"), "1"));
                }
                java.util.Collections.shuffle(parts, r);
                return new Request(
                        "upload of " + parts.size() + " parts",
                        "POST",
                        path,
                        ApiClient.multipartType(),
                        ApiClient.multipart(parts),
                        false);
            }
            case 2 -> {
                // broken audio only: never a segment
                byte[] wav = Fuzz.wav(r);
                if (wav.length >= 4) {
                    wav[0] = 'X';
                }
                return new Request(
                        "upload of a non-WAV",
                        "POST",
                        path,
                        ApiClient.multipartType(),
                        ApiClient.multipart(List.of(Part.file("audio", "a.wav", wav))),
                        true);
            }
            case 3 -> {
                // frames that are not whole frames, or of another size
                int count = 1 + r.nextInt(5);
                boolean ragged = r.nextBoolean();
                byte[] frames =
                        new byte[ragged ? FRAME_BYTES * count + 1 + r.nextInt(FRAME_BYTES - 1) : FRAME_BYTES * count];
                int w = ragged ? W : pick(r, 0, -W, 2 * W, Integer.MAX_VALUE, 16385, W + 2);
                return new Request(
                        "upload of odd frames",
                        "POST",
                        path,
                        ApiClient.multipartType(),
                        ApiClient.multipart(List.of(
                                Part.file("video", "v.bgr", frames),
                                Part.field("width", "" + w),
                                Part.field("height", "" + H))),
                        true);
            }
            case 4 -> {
                // a multipart body cut short, or framed by another boundary than the header says
                byte[] body = ApiClient.multipart(
                        List.of(Part.file("audio", "a.wav", SyntheticMedia.wav(SyntheticMedia.tone(0.1), 48_000))));
                boolean cut = r.nextBoolean();
                byte[] sent = cut ? Arrays.copyOf(body, r.nextInt(body.length - 8)) : body;
                String type = cut
                        ? ApiClient.multipartType()
                        : "multipart/form-data; boundary=" + pick(r, "other", "\"\"", "x".repeat(71), BOUNDARY);
                return new Request(
                        cut ? "upload cut short" : "upload with a wrong boundary", "POST", path, type, sent, true);
            }
            case 6 -> {
                // a part whose headers Pekko cannot use: no Content-Disposition or no name in it, a header
                // line or name far over the limits, a line without a colon, too many headers
                String headers = pick(
                        r,
                        "Content-Type: application/octet-stream",
                        "Content-Disposition: form-data; filename=\"a.wav\"",
                        "Content-Disposition: form-data; name",
                        "Content-Disposition: form-data",
                        "Content-Disposition: attachment; filename=\"a.wav\"",
                        "Content-Disposition: form-data; name=\"\"",
                        "Content-Disposition: form-data; name*=UTF-8''audio",
                        PART_AUDIO + "\r\nContent-Type: text/plain\r\nContent-Type: image/png",
                        PART_AUDIO + "\r\nContent-Type: \u00ff/\u00ff",
                        PART_AUDIO + "\r\nX-Note: " + "n".repeat(8193 + r.nextInt(120_000)),
                        "X-" + "n".repeat(65 + r.nextInt(100_000)) + ": 1\r\n" + PART_AUDIO,
                        PART_AUDIO + "\r\n" + pick(r, "No Colon", "\u0001: 1", "X\u00ff: 1"),
                        PART_AUDIO + "\r\nX-A: 1".repeat(65 + r.nextInt(300)));
                List<byte[]> parts = new ArrayList<>(
                        List.of(rawPart(headers, SyntheticMedia.wav(SyntheticMedia.tone(0.1), 48_000))));
                if (r.nextBoolean()) {
                    parts.add(
                            r.nextInt(parts.size() + 1),
                            rawPart("Content-Disposition: form-data; name=\"fps\"", "30".getBytes()));
                }
                return new Request(
                        "upload with part headers " + shorten(headers),
                        "POST",
                        path,
                        RAW_MULTIPART,
                        rawForm(parts),
                        true);
            }
            case 7 -> {
                // a part sent empty, among good ones: never taken as the part left out
                String empty = pick(r, "audio", "video", "frame", "fps", "width", "height", "format");
                List<byte[]> parts = new ArrayList<>();
                parts.add(rawPart(
                        PART_AUDIO,
                        empty.equals("audio") ? new byte[0] : SyntheticMedia.wav(SyntheticMedia.tone(0.1), 48_000)));
                if (!empty.equals("audio") && !empty.equals("frame")) {
                    parts.add(rawPart(
                            "Content-Disposition: form-data; name=\"video\"; filename=\"v.bgr\"",
                            empty.equals("video") ? new byte[0] : SyntheticMedia.greyFrames(W, H, 3, 70)));
                }
                if (empty.equals("frame")) {
                    parts.set(0, rawPart("Content-Disposition: form-data; name=\"frame\"", new byte[0]));
                } else if (!empty.equals("audio") && !empty.equals("video")) {
                    parts.add(rawPart(
                            "Content-Disposition: form-data; name=\"" + empty + "\"",
                            pick(r, "", " ", "\r\n").getBytes()));
                }
                java.util.Collections.shuffle(parts, r);
                return new Request(
                        "upload with an empty part '" + empty + "'", "POST", path, RAW_MULTIPART, rawForm(parts), true);
            }
            default -> {
                // garbage with a multipart type, or a multipart type without a boundary
                return new Request(
                        "garbage multipart",
                        "POST",
                        path,
                        pick(
                                r,
                                "multipart/form-data",
                                "multipart/form-data; boundary=" + BOUNDARY,
                                "multipart/mixed; boundary=" + BOUNDARY,
                                "multipart/form-data; boundary=",
                                "application/octet-stream",
                                "image/png"),
                        Fuzz.bytes(r, 5000),
                        true);
            }
        }
    }

    static final String RAW_MULTIPART = "multipart/form-data; boundary=" + BOUNDARY;
    static final String PART_AUDIO = "Content-Disposition: form-data; name=\"audio\"; filename=\"a.wav\"";

    /** A part of a body framed by {@link #BOUNDARY}: header lines as given (without the blank line), then its bytes. */
    static byte[] rawPart(String headers, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--" + BOUNDARY + "\r\n" + headers + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(content);
        out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    static byte[] rawForm(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    static void addField(Random r, List<Part> parts, String name, int good) {
        int roll = r.nextInt(6);
        if (roll == 0) {
            return;
        }
        String value = roll == 1
                ? String.valueOf(Fuzz.nastyNumber(r))
                : roll == 2 ? pick(r, "", " ", "1e3", "0x20", "NaN", "32.0", "-0", "٣٢") : String.valueOf(good);
        parts.add(Part.field(name, value));
    }

    static Request whepRequest(Random r, String session, String target) {
        String path = r.nextBoolean() ? "/whep" : "/whep/" + session;
        String sdp = r.nextInt(4) == 0 ? "" : new String(Fuzz.bytes(r, 300), StandardCharsets.ISO_8859_1);
        if (r.nextInt(4) == 0) {
            // PATCH (trickle ICE) is refused, PUT is no WHEP method; GET or DELETE of a viewer that exists is fine.
            String method = pick(r, "PATCH", "DELETE", "GET", "PUT");
            return new Request(
                    "whep " + method,
                    method,
                    "/whep/" + target + "/" + target + "-v" + r.nextInt(9),
                    "application/trickle-ice-sdpfrag",
                    sdp.getBytes(StandardCharsets.ISO_8859_1),
                    method.equals("PATCH") || method.equals("PUT"));
        }
        if (r.nextInt(5) == 0) {
            // an offer that would be answered, but in another charset or with bytes that are not UTF-8
            boolean latin1 = r.nextBoolean();
            return new Request(
                    "whep offer " + (latin1 ? "declared Latin-1" : "not UTF-8"),
                    "POST",
                    path,
                    latin1 ? "application/sdp; charset=iso-8859-1" : "application/sdp",
                    ("v=0\r\ns=caf\u00e9" + (latin1 ? "" : "\u00ff") + "\r\n").getBytes(StandardCharsets.ISO_8859_1),
                    true);
        }
        return new Request(
                "whep offer " + shorten(sdp),
                "POST",
                path,
                pick(r, "application/sdp", "application/json", "text/plain"),
                sdp.getBytes(StandardCharsets.ISO_8859_1),
                !sdp.startsWith("v=0"));
    }

    static Request pathRequest(Random r, String session) {
        String method = pick(r, "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD");
        String segment = switch (r.nextInt(7)) {
            case 0 -> "%00";
            case 1 -> "%2e%2e/%2e%2e/etc/passwd";
            case 2 -> "x".repeat(r.nextInt(1500));
            case 3 -> "%E2%82%AC%F0%9F%98%80";
            case 4 -> "%25ZZ%2F..%5C";
            case 5 -> session + "/viewers/" + "v".repeat(r.nextInt(50));
            default -> Integer.toHexString(r.nextInt());
        };
        String path = pick(r, "/api/sessions/", "/api/", "/whep/", "/static/", "/api/sessions/" + session + "/", "/")
                + segment;
        boolean noSuchThing = !path.startsWith("/static/") && !path.equals("/") && !"OPTIONS".equals(method);
        return new Request(
                "path", method, path, "application/json", "HEAD".equals(method) ? null : Fuzz.bytes(r, 100), false);
    }

    static Request headerRequest(Random r, String session) {
        String path = pick(
                r, "/api/sessions", "/api/sessions/" + session + "/offer", "/api/sessions/" + session + "/segments");
        String type = pick(
                r,
                "application/json; charset=bogus-charset",
                "application/json; charset=",
                "application/json;;;",
                "multipart/form-data; boundary=\"unterminated",
                "*/*",
                "application/x-www-form-urlencoded",
                "text/html; charset=utf-8",
                "application/json; charset=utf-32");
        return new Request("content type " + type, "POST", path, type, Fuzz.bytes(r, 200), false);
    }

    /** Requests the routes never see: broken request lines, URIs and headers too long, lying lengths. */
    static byte[] rawRequest(Random r, String session) {
        String path = "/api/sessions/" + session;
        String head = switch (r.nextInt(8)) {
            case 0 -> "GET /" + "a".repeat(2100 + r.nextInt(8000)) + " HTTP/1.1\r\nHost: x\r\n\r\n";
            case 1 ->
                "GET " + path + " HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9000 + r.nextInt(4000)) + "\r\n\r\n";
            case 2 ->
                "POST " + path + "/offer HTTP/1.1\r\nHost: x\r\nContent-Length: "
                        + pick(r, "abc", "-1", "99999999999999999999999", "1, 2") + "\r\n\r\n{}";
            case 3 ->
                pick(r, "GET", "G E T", "\u0001\u0002", "POST") + " "
                        + pick(r, "no-slash", "/ a b", "/%", "", "/api/sessions/%ZZ") + " HTTP/1.1\r\nHost: x\r\n\r\n";
            case 4 -> "GET " + path + " HTTP/" + pick(r, "9.9", "1.x", "2") + "\r\nHost: x\r\n\r\n";
            case 5 ->
                "POST " + path
                        + "/offer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
                        + pick(r, "zz\r\n", "-5\r\n", "ffffffffffffffffff\r\n");
            case 6 ->
                "GET " + path + " HTTP/1.1\r\n" + "X-Many: 1\r\n".repeat(100 + r.nextInt(200)) + "Host: x\r\n\r\n";
            default -> "GET " + path + " HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n";
        };
        return head.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ---- JSON and SDP garbage ----

    static String jsonValue(Random r, int depth) {
        return switch (r.nextInt(depth > 2 ? 10 : 13)) {
            case 0 -> "null";
            case 1 -> pick(r, "true", "false");
            case 2 -> String.valueOf(Fuzz.nastyNumber(r));
            case 3 ->
                pick(
                        r,
                        "1e99",
                        "-1e-99",
                        "1.5",
                        "NaN",
                        "Infinity",
                        "-0",
                        "1E400",
                        "0.0000001",
                        "99999999999999999999999");
            case 4 -> quote(new String(Fuzz.bytes(r, 40), StandardCharsets.ISO_8859_1));
            case 5 -> quote(Fuzz.fps(r));
            case 6 -> "\"" + "\\u0000\\ud800" + "\"";
            case 7 -> "[" + "[".repeat(r.nextInt(3000));
            case 8 -> "";
            case 9 -> new String(Fuzz.bytes(r, 30), StandardCharsets.ISO_8859_1);
            case 10 -> "[" + jsonValue(r, depth + 1) + ", " + jsonValue(r, depth + 1) + "]";
            case 11 -> "{\"a\": " + jsonValue(r, depth + 1) + "}";
            default -> "\"" + "z".repeat(r.nextInt(100_000)) + "\"";
        };
    }

    static String jsonObject(Random r, List<String> keys) {
        StringBuilder b = new StringBuilder("{");
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(", ");
            }
            String key = r.nextInt(5) == 0 ? "extra" + i : keys.get(r.nextInt(keys.size()));
            b.append(quote(key)).append(": ").append(jsonValue(r, 1));
        }
        return b.append('}').toString();
    }

    static String sdp(Random r) {
        List<String> lines = new ArrayList<>(List.of("v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "t=0 0"));
        if (r.nextBoolean()) {
            lines.add("m=audio 9 UDP/TLS/RTP/SAVPF 111");
        }
        if (r.nextBoolean()) {
            lines.add("m=video 9 UDP/TLS/RTP/SAVPF 96");
        }
        for (int i = r.nextInt(6); i > 0; i--) {
            lines.add(pick(
                    r,
                    "a=rtpmap:111 opus/48000/2",
                    "a=fingerprint:sha-256 ZZ",
                    "a=ice-ufrag:" + "u".repeat(r.nextInt(300)),
                    "a=ssrc:" + Fuzz.nastyNumber(r) + " cname:x",
                    "a=rtcp-fb:* " + "x".repeat(r.nextInt(200)),
                    "m=application 0 x",
                    "a=" + new String(Fuzz.bytes(r, 50), StandardCharsets.ISO_8859_1)));
        }
        java.util.Collections.shuffle(lines.subList(r.nextInt(2) == 0 ? 0 : 1, lines.size()), r);
        return String.join(pick(r, "\r\n", "\n", "\r"), lines) + "\r\n";
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 32 || c > 126) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    @SafeVarargs
    static <T> T pick(Random r, T... values) {
        return Fuzz.pick(r, values);
    }

    static byte[] controlMessage(Random r) {
        String text = switch (r.nextInt(6)) {
            case 0 ->
                "{\"type\": \"open\", \"sampleRate\": "
                        + pick(
                                r,
                                "16000",
                                "48000",
                                "\"16000\"",
                                "16000.5",
                                "0",
                                "-1",
                                "1e99",
                                "null",
                                "[]",
                                String.valueOf(Fuzz.nastyNumber(r)))
                        + pick(
                                r,
                                "",
                                ", \"audio\": false",
                                ", \"video\": false",
                                ", \"audio\": \"yes\"",
                                ", \"video\": 0",
                                ", \"audio\": null")
                        + "}";
            case 1 -> jsonObject(r, List.of("type", "sampleRate", "audio", "video"));
            case 2 ->
                "{\"type\": " + pick(r, "\"open\"", "\"close\"", "\"play\"", "1", "null", "[\"open\"]", "\"OPEN\"")
                        + "}" + pick(r, "", " {}", " x", "}");
            case 3 -> jsonValue(r, 0);
            case 4 -> new String(Fuzz.bytes(r, 200), StandardCharsets.ISO_8859_1);
            default ->
                "{\"type\": \"open\", \"sampleRate\": 16000, \"note\": \"" + "n".repeat(r.nextInt(80_000)) + "\"}";
        };
        return text.getBytes(r.nextInt(5) == 0 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    // ---- the oracle ----

    /** Null when the reply is what a client of a bad request must get, else what is wrong. */
    static String shorten(String s) {
        String flat = s.replaceAll("[\\r\\n]+", "⏎");
        return flat.length() <= 120 ? flat : flat.substring(0, 120) + "…(" + flat.length() + ")";
    }
}
