package io.avpush.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * This process's memory as the kernel and the JVM see it: resident set (VmRSS), and what the JVM
 * itself has committed (Native Memory Tracking, when the JVM runs with
 * {@code -XX:NativeMemoryTracking=summary}). RSS minus NMT is, roughly, memory malloc'd by native
 * libraries (libwebrtc) that the JVM does not know about.
 */
public record ProcessMemory(long rssKb, long jvmCommittedKb, long heapUsedKb, long mallocInUseKb) {

    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");

    public static ProcessMemory now() {
        Runtime rt = Runtime.getRuntime();
        return new ProcessMemory(
                readRssKb(), nmtCommittedKb(), (rt.totalMemory() - rt.freeMemory()) / 1024, readMallocInUseKb());
    }

    /** RSS not accounted for by the JVM's own committed memory; -1 without NMT. */
    public long nativeOutsideJvmKb() {
        return jvmCommittedKb < 0 ? -1 : rssKb - jvmCommittedKb;
    }

    static long readRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** NMT's committed total in KB (scale=KB), or -1 when NMT is off. */
    static long nmtCommittedKb() {
        try {
            Object out = ManagementFactory.getPlatformMBeanServer()
                    .invoke(
                            new ObjectName("com.sun.management:type=DiagnosticCommand"),
                            "vmNativeMemory",
                            new Object[] {new String[] {"summary", "scale=KB"}},
                            new String[] {String[].class.getName()});
            Matcher m = NMT_TOTAL.matcher(String.valueOf(out));
            return m.find() ? Long.parseLong(m.group(2)) : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    /** glibc's mallinfo2: the fields of struct mallinfo2, all size_t. */
    @com.sun.jna.Structure.FieldOrder({
        "arena",
        "ordblks",
        "smblks",
        "hblks",
        "hblkhd",
        "usmblks",
        "fsmblks",
        "uordblks",
        "fordblks",
        "keepcost"
    })
    public static class MallInfo2 extends com.sun.jna.Structure {
        public long arena;
        public long ordblks;
        public long smblks;
        public long hblks;
        public long hblkhd;
        public long usmblks;
        public long fsmblks;
        public long uordblks;
        public long fordblks;
        public long keepcost;

        public static class ByValue extends MallInfo2 implements com.sun.jna.Structure.ByValue {}
    }

    interface LibC extends com.sun.jna.Library {
        MallInfo2.ByValue mallinfo2();
    }

    /** Which allocator serves malloc in this process: "jemalloc" when preloaded (LD_PRELOAD), else "glibc". */
    public static String allocator() {
        return Jemalloc.MALLCTL != null ? "jemalloc" : "glibc";
    }

    /**
     * Bytes malloc has handed out and not had back, in KB: jemalloc's {@code stats.allocated} when it
     * is preloaded, else glibc's over all arenas (mallinfo2: uordblks + hblkhd); -1 when neither can be
     * read. Growth here is memory never freed; RSS growing without it is freed memory the allocator
     * keeps. (Both count what threads' caches hold as in use.)
     */
    static long readMallocInUseKb() {
        if (Jemalloc.MALLCTL != null) {
            return Jemalloc.allocatedKb();
        }
        try {
            MallInfo2 info = LibCHolder.LIBC.mallinfo2();
            return (info.uordblks + info.hblkhd) / 1024;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return -1;
        }
    }

    /** jemalloc's mallctl, when jemalloc is the process's malloc (looked up once). */
    private static final class Jemalloc {
        static final com.sun.jna.Function MALLCTL = lookup();

        private static com.sun.jna.Function lookup() {
            try {
                return com.sun.jna.NativeLibrary.getProcess().getFunction("mallctl");
            } catch (UnsatisfiedLinkError e) {
                return null;
            }
        }

        static long allocatedKb() {
            com.sun.jna.Memory value = new com.sun.jna.Memory(Long.BYTES);
            value.setLong(0, 1);
            com.sun.jna.ptr.LongByReference size = new com.sun.jna.ptr.LongByReference(Long.BYTES);
            // Statistics are a snapshot refreshed by writing "epoch".
            if (MALLCTL.invokeInt(new Object[] {"epoch", null, null, value, (long) Long.BYTES}) != 0
                    || MALLCTL.invokeInt(new Object[] {"stats.allocated", value, size, null, 0L}) != 0) {
                return -1;
            }
            return value.getLong(0) / 1024;
        }
    }

    private static final class LibCHolder {
        static final LibC LIBC = com.sun.jna.Native.load("c", LibC.class);
    }

    /** Least-squares slope of y over x: the growth per step of a series of samples. */
    public static double slope(long[] x, long[] y, int n) {
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double num = 0;
        double den = 0;
        for (int i = 0; i < n; i++) {
            num += (x[i] - mx) * (y[i] - my);
            den += (x[i] - mx) * (x[i] - mx);
        }
        return den == 0 ? 0 : num / den;
    }
}
