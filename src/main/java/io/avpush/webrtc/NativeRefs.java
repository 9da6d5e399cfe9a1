package io.avpush.webrtc;

import com.sun.jna.Callback;
import com.sun.jna.CallbackReference;
import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.onvoid.webrtc.internal.NativeObject;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the libwebrtc references that webrtc-java 0.14.0 takes for its wrappers and never gives
 * back, and returns freed heap to the system.
 *
 * <p>Read in webrtc-java's JNI ({@code JNI_PeerConnectionFactory.cpp}, {@code JNI_RTCPeerConnection.cpp}):
 * {@code createPeerConnection} hands the Java object the one reference of a new peer connection
 * ({@code pc.release()}) and {@code addTrack} that of its sender; {@code RTCPeerConnection.close()}
 * calls {@code Close()} and forgets the pointer without {@code Release()}, and no sender is ever
 * released. Every closed viewer thus kept its whole peer connection object (measured: docs/benchmarks.md,
 * "Soak and native memory"). {@link #release} calls the object's {@code Release()} through its C++ vtable:
 * every libwebrtc interface handed to Java derives first from {@code webrtc::RefCountInterface},
 * whose slots are {@code AddRef()} then {@code Release()} (Itanium ABI, Linux x86-64 only, where
 * webrtc-java's natives are tested here).
 *
 * <p>The same JNI also never deletes the session descriptions that {@code createOffer} and
 * {@code createAnswer} make: libwebrtc hands each to the observer's {@code OnSuccess}, which owns it
 * ({@code api/jsep.h}), and webrtc-java's {@code CreateSessionDescriptionObserver::OnSuccess} only
 * copies it to Java. Measured with a jemalloc heap profile: some 25 KB of codec and transport
 * descriptions per offer or answer (docs/benchmarks.md, "Soak and native memory"). {@link #releaseCreatedDescriptions}
 * puts a wrapper in that method's vtable slot that calls it, then deletes the description.
 *
 * <p>Only for webrtc-java 0.14.x: a version that releases by itself would be released twice. Off
 * with {@code -Davpush.webrtc.release-native-refs=false} (the descriptions' wrapper alone with
 * {@code -Davpush.webrtc.release-descriptions=false}).
 */
final class NativeRefs {
    private static final Logger log = LoggerFactory.getLogger(NativeRefs.class);

    /** libwebrtc's {@code RefCountReleaseStatus::kDroppedLastRef}. */
    static final int DROPPED_LAST_REF = 0;

    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    static final int PROT_EXEC = 0x4;

    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("avpush.webrtc.release-native-refs", "true"))
            && System.getProperty("os.arch", "").matches("amd64|x86_64");

    private static final Field HANDLE = handleField();

    private NativeRefs() {}

    /** The native pointer a wrapper holds; 0 once webrtc-java has forgotten it (or when off). */
    static long handle(NativeObject object) {
        if (!ENABLED || HANDLE == null || object == null) {
            return 0;
        }
        try {
            return HANDLE.getLong(object);
        } catch (IllegalAccessException e) {
            return 0;
        }
    }

    /**
     * Drops one reference of the ref-counted libwebrtc object at {@code pointer} (its last, if the
     * caller owned it). Returns libwebrtc's release status, or -1 when nothing was done.
     * Call only with a pointer whose reference the caller owns and never uses again.
     */
    static int release(long pointer) {
        if (!ENABLED || pointer == 0) {
            return -1;
        }
        Pointer object = new Pointer(pointer);
        Pointer vtable = object.getPointer(0);
        Function release = Function.getFunction(vtable.getPointer(Native.POINTER_SIZE));
        return release.invokeInt(new Object[] {object});
    }

    /** Adds one reference (vtable slot 0); for tests that check the slots against libwebrtc's own count. */
    static void addRef(long pointer) {
        Pointer object = new Pointer(pointer);
        Function.getFunction(object.getPointer(0).getPointer(0)).invokeVoid(new Object[] {object});
    }

    /**
     * glibc's {@code malloc_trim(0)}: gives freed heap pages of every arena back to the system. libwebrtc
     * frees a peer connection across several threads' arenas, which glibc otherwise keeps resident.
     * Returns true if memory was released; false when not on glibc.
     */
    static boolean trimHeap() {
        Function trim = MallocTrim.FUNCTION;
        return trim != null && trim.invokeInt(new Object[] {0}) == 1;
    }

    /**
     * From now on, deletes every session description webrtc-java's {@code CreateSessionDescriptionObserver}
     * receives once the Java observer has its copy (see the class comment). Once per process, after
     * webrtc-java's library is loaded; returns whether the wrapper is in place.
     */
    static synchronized boolean releaseCreatedDescriptions() {
        if (!ENABLED || !Boolean.parseBoolean(System.getProperty("avpush.webrtc.release-descriptions", "true"))) {
            return false;
        }
        if (DescriptionRelease.installed) {
            return true;
        }
        String version = webrtcJavaVersion();
        if (!version.startsWith("0.14.")) {
            log.warn("webrtc-java {}: session descriptions are left to it (the wrapper is for 0.14.x only)", version);
            return false;
        }
        try {
            DescriptionRelease.install();
            return true;
        } catch (RuntimeException | UnsatisfiedLinkError | IOException e) {
            log.warn(
                    "cannot free the session descriptions webrtc-java keeps ({}); every offer and answer keeps ~25 KB",
                    e.toString());
            return false;
        }
    }

    /** webrtc-java's version from its jar's Maven properties; "unknown" without them. */
    static String webrtcJavaVersion() {
        try (var in = NativeObject.class.getResourceAsStream(
                "/META-INF/maven/dev.onvoid.webrtc/webrtc-java/pom.properties")) {
            if (in == null) {
                return "unknown";
            }
            java.util.Properties properties = new java.util.Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** How many created session descriptions were deleted (0 unless {@link #releaseCreatedDescriptions} worked). */
    static long createdDescriptionsReleased() {
        return DescriptionRelease.RELEASED.get();
    }

    /** The wrapper of {@code jni::CreateSessionDescriptionObserver::OnSuccess} and its installation. */
    private static final class DescriptionRelease {
        static final String LIBRARY = "libwebrtc-java";
        /** vtable of {@code webrtc::RefCountedObject<jni::CreateSessionDescriptionObserver>}, what createOffer/createAnswer allocate. */
        static final String VTABLE = "_ZTVN6webrtc16RefCountedObjectIN3jni32CreateSessionDescriptionObserverEEE";

        static final String ON_SUCCESS =
                "_ZN3jni32CreateSessionDescriptionObserver9OnSuccessEPN6webrtc27SessionDescriptionInterfaceE";
        static final int RTLD_LAZY = 0x1;
        static final int RTLD_NOLOAD = 0x4;
        static final AtomicLong RELEASED = new AtomicLong();
        static volatile boolean installed;
        static volatile Function original;
        // Held for the life of the process: libwebrtc calls it through the patched vtable.
        static final OnSuccess WRAPPER = new OnSuccess() {
            @Override
            public void invoke(Pointer self, Pointer description) {
                try {
                    original.invokeVoid(new Object[] {self, description});
                } finally {
                    if (description != null) {
                        // SessionDescriptionInterface's first virtual is its destructor: slot 1 is the deleting one.
                        Function.getFunction(description.getPointer(0).getPointer(Native.POINTER_SIZE))
                                .invokeVoid(new Object[] {description});
                        RELEASED.incrementAndGet();
                    }
                }
            }
        };

        interface OnSuccess extends Callback {
            void invoke(Pointer self, Pointer description);
        }

        static void install() throws IOException {
            NativeLibrary c = NativeLibrary.getInstance("c");
            String path = loadedPath();
            // By name: webrtc-java may have deleted its extracted file; RTLD_NOLOAD only finds the loaded copy.
            Pointer library = c.getFunction("dlopen").invokePointer(new Object[] {path, RTLD_LAZY | RTLD_NOLOAD});
            if (library == null) {
                throw new IllegalStateException(path + " is not loaded");
            }
            Function dlsym = c.getFunction("dlsym");
            Pointer vtable = dlsym.invokePointer(new Object[] {library, VTABLE});
            Pointer onSuccess = dlsym.invokePointer(new Object[] {library, ON_SUCCESS});
            if (vtable == null || onSuccess == null) {
                throw new IllegalStateException("no " + (vtable == null ? VTABLE : ON_SUCCESS) + " in " + path);
            }
            // The slot is found by its content, not by a counted index: past offset-to-top and typeinfo.
            int slot = -1;
            for (int i = 2; i < 16; i++) {
                if (onSuccess.equals(vtable.getPointer((long) i * Native.POINTER_SIZE))) {
                    if (slot >= 0) {
                        throw new IllegalStateException("OnSuccess twice in the observer's vtable");
                    }
                    slot = i;
                }
            }
            if (slot < 0) {
                throw new IllegalStateException("OnSuccess not in the observer's vtable");
            }
            original = Function.getFunction(onSuccess);
            // libwebrtc's signaling thread is attached by webrtc-java: JNA must not detach it after a call.
            Native.setCallbackThreadInitializer(WRAPPER, new CallbackThreadInitializer(true, false));
            Pointer wrapper = CallbackReference.getFunctionPointer(WRAPPER);
            replaceSlot(Pointer.nativeValue(vtable) + (long) slot * Native.POINTER_SIZE, wrapper);
            installed = true;
        }

        /** The path webrtc-java loaded its library from, as /proc/self/maps names it. */
        private static String loadedPath() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int at = line.indexOf('/');
                if (at > 0 && line.contains(LIBRARY)) {
                    return line.substring(at).replace(" (deleted)", "").strip();
                }
            }
            throw new IllegalStateException("webrtc-java's library is not mapped");
        }
    }

    /**
     * Writes {@code function} into the vtable entry at {@code entry}. vtables lie in RELRO (read-only
     * after relocation): the page is made writable for the one aligned store, then protected again.
     */
    static void replaceSlot(long entry, Pointer function) throws IOException {
        NativeLibrary c = NativeLibrary.getInstance("c");
        long pageSize = c.getFunction("getpagesize").invokeInt(new Object[0]);
        long page = entry & -pageSize;
        Function mprotect = c.getFunction("mprotect");
        int protection = mappingOf(page).protection();
        if (mprotect.invokeInt(new Object[] {new Pointer(page), pageSize, protection | PROT_WRITE}) != 0) {
            throw new IllegalStateException("mprotect of a vtable failed");
        }
        new Pointer(entry).setPointer(0, function);
        mprotect.invokeInt(new Object[] {new Pointer(page), pageSize, protection});
    }

    /** A mapping of this process: its mprotect flags (read, write, exec) and the file it maps ("" if none). */
    record Mapping(int protection, String path) {}

    /** The mapping holding {@code address}, from /proc/self/maps. */
    static Mapping mappingOf(long address) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] f = line.split(" ", 3);
            String[] range = f[0].split("-");
            if (Long.compareUnsigned(Long.parseUnsignedLong(range[0], 16), address) <= 0
                    && Long.compareUnsigned(address, Long.parseUnsignedLong(range[1], 16)) < 0) {
                int at = line.indexOf('/');
                return new Mapping(
                        (f[1].charAt(0) == 'r' ? PROT_READ : 0)
                                | (f[1].charAt(1) == 'w' ? PROT_WRITE : 0)
                                | (f[1].charAt(2) == 'x' ? PROT_EXEC : 0),
                        at < 0 ? "" : line.substring(at).strip());
            }
        }
        throw new IllegalStateException("no mapping holds address 0x" + Long.toHexString(address));
    }

    /** glibc's malloc_trim, looked up once; null on another C library. */
    private static final class MallocTrim {
        static final Function FUNCTION = lookup();

        private static Function lookup() {
            try {
                return NativeLibrary.getInstance("c").getFunction("malloc_trim");
            } catch (UnsatisfiedLinkError e) {
                log.info("no malloc_trim in this C library: freed native memory stays with the allocator");
                return null;
            }
        }
    }

    private static Field handleField() {
        try {
            Field f = NativeObject.class.getDeclaredField("nativeHandle");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn(
                    "cannot read webrtc-java's native handles ({}); closed peer connections keep their native memory",
                    e.toString());
            return null;
        }
    }
}
