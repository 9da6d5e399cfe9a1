package io.avpush.webrtc;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.onvoid.webrtc.internal.NativeObject;
import java.lang.reflect.Field;
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
 * released. Every closed viewer thus kept its whole peer connection object (measured: README
 * "Reliability"). {@link #release} calls the object's {@code Release()} through its C++ vtable:
 * every libwebrtc interface handed to Java derives first from {@code webrtc::RefCountInterface},
 * whose slots are {@code AddRef()} then {@code Release()} (Itanium ABI, Linux x86-64 only, where
 * webrtc-java's natives are tested here).
 *
 * <p>Only for webrtc-java 0.14.x: a version that releases by itself would be released twice. Off
 * with {@code -Davpush.webrtc.release-native-refs=false}.
 */
final class NativeRefs {
  private static final Logger log = LoggerFactory.getLogger(NativeRefs.class);

  /** libwebrtc's {@code RefCountReleaseStatus::kDroppedLastRef}. */
  static final int DROPPED_LAST_REF = 0;

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
      log.warn("cannot read webrtc-java's native handles ({}); closed peer connections keep their native memory", e.toString());
      return null;
    }
  }
}
