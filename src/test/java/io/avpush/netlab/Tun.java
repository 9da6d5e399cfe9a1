package io.avpush.netlab;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;

/**
 * A Linux TUN device opened by this process: IP packets routed to the device are read here, and
 * packets written here enter the kernel as if they had arrived on it. The file descriptor stays
 * valid when the device is moved to another network namespace ({@code ip link set NAME netns PID}),
 * which is how one forwarder serves two namespaces.
 */
final class Tun implements AutoCloseable {

    /** The C library calls a TUN device needs (JNA). */
    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int open(String path, int flags);

        int ioctl(int fd, long request, Pointer argument);

        int read(int fd, byte[] buffer, long count);

        int write(int fd, byte[] buffer, long count);

        int poll(Pointer fds, long count, int timeoutMs);

        int close(int fd);
    }

    private static final int O_RDWR = 2;
    /** {@code _IOW('T', 202, int)}. */
    private static final long TUNSETIFF = 0x400454caL;

    private static final short IFF_TUN = 0x0001;
    private static final short IFF_NO_PI = 0x1000;
    private static final short POLLIN = 0x0001;
    /** {@code struct ifreq}: a 16-byte name, then the flags (the union is 24 bytes). */
    private static final int IFREQ_BYTES = 40;

    private final String name;
    private final int fd;
    private final Memory pollFd = new Memory(8);
    private volatile boolean closed;

    private Tun(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    /** Creates TUN device {@code name} (IP packets, no packet-information header). Needs CAP_NET_ADMIN. */
    static Tun create(String name) throws IOException {
        if (name.length() > 15) {
            throw new IllegalArgumentException("a device name has at most 15 characters: " + name);
        }
        int fd = LibC.INSTANCE.open("/dev/net/tun", O_RDWR);
        if (fd < 0) {
            throw new IOException("cannot open /dev/net/tun (errno " + Native.getLastError() + ")");
        }
        Memory ifreq = new Memory(IFREQ_BYTES);
        ifreq.clear();
        ifreq.setString(0, name, "US-ASCII");
        ifreq.setShort(16, (short) (IFF_TUN | IFF_NO_PI));
        if (LibC.INSTANCE.ioctl(fd, TUNSETIFF, ifreq) < 0) {
            int errno = Native.getLastError();
            LibC.INSTANCE.close(fd);
            throw new IOException("TUNSETIFF " + name + " failed (errno " + errno + ")");
        }
        return new Tun(name, fd);
    }

    String name() {
        return name;
    }

    /**
     * Reads one packet into {@code buffer}; returns its length, 0 when none came within
     * {@code timeoutMs}, or -1 once closed.
     */
    int read(byte[] buffer, int timeoutMs) throws IOException {
        if (closed) {
            return -1;
        }
        pollFd.setInt(0, fd);
        pollFd.setShort(4, POLLIN);
        pollFd.setShort(6, (short) 0);
        int ready = LibC.INSTANCE.poll(pollFd, 1, timeoutMs);
        if (closed) {
            return -1;
        }
        if (ready <= 0) {
            return 0;
        }
        int n = LibC.INSTANCE.read(fd, buffer, buffer.length);
        if (n < 0) {
            if (closed) {
                return -1;
            }
            throw new IOException("read from " + name + " failed (errno " + Native.getLastError() + ")");
        }
        return n;
    }

    /** Sends one packet into the kernel as if it arrived on this device. */
    void write(byte[] packet, int length) throws IOException {
        if (closed) {
            return;
        }
        if (LibC.INSTANCE.write(fd, packet, length) < 0) {
            int errno = Native.getLastError();
            // EIO/EINVAL while the device is down or moving between namespaces: the packet is lost, as on a wire.
            if (errno != 5 && errno != 22 && !closed) {
                throw new IOException("write to " + name + " failed (errno " + errno + ")");
            }
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.INSTANCE.close(fd);
        }
    }
}
