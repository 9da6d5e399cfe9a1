package io.avpush.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * A client that misbehaves on purpose, over a plain socket to the loopback server: it sends a
 * request head and as much of the body as the test says, then stalls, hangs up or waits for the
 * reply. What it reads back is the status line, the headers and the JSON body of the reply.
 */
final class RawHttp implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A reply read off the socket; {@code json} is null when the body is not JSON. */
    record Reply(int status, String head, String body, JsonNode json, boolean connectionClosed) {
        String text(String field) {
            return json == null || !json.hasNonNull(field)
                    ? null
                    : json.get(field).asText();
        }

        @Override
        public String toString() {
            return status + " " + body + (connectionClosed ? " (connection closed)" : "");
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RawHttp(URI base) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    /** Sends a request head; {@code contentLength} < 0 sends no Content-Length header. */
    RawHttp head(String method, String path, String contentType, long contentLength) throws IOException {
        StringBuilder h = new StringBuilder(method)
                .append(' ')
                .append(path)
                .append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\n");
        if (contentType != null) {
            h.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (contentLength >= 0) {
            h.append("Content-Length: ").append(contentLength).append("\r\n");
        }
        h.append("\r\n");
        return send(h.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Waits up to {@code timeout} for a whole reply, then up to 2 s to see whether the server closes the connection. */
    Reply awaitReply(Duration timeout) throws IOException {
        return awaitReply(timeout, true);
    }

    /** Waits up to {@code timeout} for a whole reply; throws SocketTimeoutException if none comes. */
    Reply awaitReply(Duration timeout, boolean seeIfClosed) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException(
                        "connection closed before a reply; got: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String headText = head.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(headText.substring(9, 12));
        int length = 0;
        for (String line : headText.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        String text = new String(body, StandardCharsets.UTF_8);
        JsonNode json;
        try {
            json = text.isEmpty() ? null : JSON.readTree(text);
        } catch (IOException notJson) {
            json = null;
        }
        boolean closed = false;
        if (seeIfClosed) {
            closed = connectionClosed();
        }
        return new Reply(status, headText, text, json, closed);
    }

    private boolean connectionClosed() throws IOException {
        boolean closed;
        try {
            socket.setSoTimeout(2_000);
            closed = in.read() < 0;
        } catch (SocketTimeoutException stillOpen) {
            closed = false;
        } catch (IOException reset) {
            closed = true;
        }
        return closed;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
