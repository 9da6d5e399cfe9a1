package io.avpush.http;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;

/**
 * A WebSocket client over a plain socket that sends frames a well-behaved client cannot: text
 * frames whose bytes are not UTF-8 (the JDK's client encodes every String it is given). It reads
 * back the server's frames: text messages and the close code.
 */
final class RawWebSocket implements AutoCloseable {

    /** A frame from the server: opcode 1 (text, {@code text} set) or 8 (close, {@code closeCode} set). */
    record Frame(int opcode, String text, int closeCode) {}

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final Random masks = new Random(7);

    RawWebSocket(URI http, String path) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(http.getHost(), http.getPort()), 5_000);
        socket.setSoTimeout(20_000);
        out = socket.getOutputStream();
        InputStream raw = socket.getInputStream();
        String key = Base64.getEncoder().encodeToString("avpush-raw-ws-16".getBytes(StandardCharsets.US_ASCII));
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + http.getHost()
                        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + "Sec-WebSocket-Key: " + key
                        + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = raw.read();
            if (b < 0) {
                throw new IOException(
                        "connection closed during the upgrade: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String status = head.toString(StandardCharsets.ISO_8859_1);
        if (!status.startsWith("HTTP/1.1 101")) {
            throw new IOException("no WebSocket upgrade: " + status);
        }
        in = new DataInputStream(raw);
    }

    /** One whole, masked frame: opcode 1 = text, 2 = binary. */
    void send(int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        byte[] mask = new byte[4];
        masks.nextBytes(mask);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** The next text or close frame from the server, within {@code timeout}. */
    Frame next(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        while (true) {
            int first = in.readUnsignedByte();
            int second = in.readUnsignedByte();
            long length = second & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = in.readNBytes((int) length);
            int opcode = first & 0x0f;
            if (opcode == 1) {
                return new Frame(1, new String(payload, StandardCharsets.UTF_8), -1);
            }
            if (opcode == 8) {
                return new Frame(
                        8, null, payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005);
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
