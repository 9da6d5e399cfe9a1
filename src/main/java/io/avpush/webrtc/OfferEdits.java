package io.avpush.webrtc;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Changes to a viewer's offer before libwebrtc answers it, each one a choice of how avpush sends.
 * Pure text functions, line endings kept.
 */
final class OfferEdits {

    private static final Pattern OPUS = Pattern.compile("a=rtpmap:(\\d+) opus/48000(/\\d+)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern FMTP = Pattern.compile("a=fmtp:(\\d+) (.*)");

    private OfferEdits() {}

    /**
     * The offer with {@code usedtx=1} on every Opus payload type that does not say {@code usedtx}
     * itself, so that avpush's Opus encoder sends silence as DTX (a packet every 400 ms instead of
     * every 20 ms). Why: a browser's audio jitter buffer takes packets from the moment the connection
     * is up but plays them only once its audio output runs, 0.1–0.6 s later (measured in headless
     * Chromium: 415–575 ms buffered in the first seconds); silence sent meanwhile piled up there,
     * played the first words late by as much and drained for seconds while the browser's
     * synchronizer delayed the picture after it, then overshot. Every browser decodes DTX; a viewer
     * whose offer says {@code usedtx=0} keeps continuous audio.
     *
     * <p>Example: {@code a=rtpmap:111 opus/48000/2} with {@code a=fmtp:111 minptime=10;useinbandfec=1}
     * → {@code a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1}; without an fmtp line one is added
     * after the rtpmap: {@code a=fmtp:111 usedtx=1}.
     */
    static String withOpusDtx(String sdp) {
        String eol = sdp.contains("\r\n") ? "\r\n" : "\n";
        String[] lines = sdp.split("\r?\n", -1);
        Set<String> opus = new HashSet<>();
        Set<String> withFmtp = new HashSet<>();
        for (String line : lines) {
            Matcher m = OPUS.matcher(line);
            if (m.matches()) {
                opus.add(m.group(1));
            }
            Matcher f = FMTP.matcher(line);
            if (f.matches()) {
                withFmtp.add(f.group(1));
            }
        }
        if (opus.isEmpty()) {
            return sdp;
        }
        List<String> out = new ArrayList<>(lines.length + opus.size());
        for (String line : lines) {
            Matcher f = FMTP.matcher(line);
            if (f.matches()
                    && opus.contains(f.group(1))
                    && !f.group(2).toLowerCase(Locale.ROOT).contains("usedtx=")) {
                out.add(line + ";usedtx=1");
                continue;
            }
            out.add(line);
            Matcher m = OPUS.matcher(line);
            if (m.matches() && !withFmtp.contains(m.group(1))) {
                out.add("a=fmtp:" + m.group(1) + " usedtx=1");
            }
        }
        return String.join(eol, out);
    }
}
