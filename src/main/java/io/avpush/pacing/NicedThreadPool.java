package io.avpush.pacing;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.typesafe.config.Config;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ExecutorServiceConfigurator;
import org.apache.pekko.dispatch.ExecutorServiceFactory;
import org.apache.pekko.dispatch.ThreadPoolExecutorConfigurator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Pekko dispatcher executor (a thread pool) whose threads run at the Linux nice value
 * {@code thread-nice} of the dispatcher's config, for the actors that release media to the pacer.
 *
 * <p>Why: a frame and its audio reach the pacer {@code release-ahead} (25 ms) before they are due;
 * the actors that release them (the frame clock, the supervisor, the chunker, the viewer door)
 * used to share the default dispatcher's threads with HTTP parsing, and the process's threads with
 * decoding and the JIT compiler. On two cores with a browser beside it, they were held up to 235 ms
 * at a viewer's connect (measured with the pacer logging each task that reached it after its
 * deadline); every push behind them was late by as much, the viewer's audio jitter buffer grew by
 * it, and its lip sync chased the growth for seconds. At nice −10 they win the CPU over everything
 * at the default 0. Lowering nice needs CAP_SYS_NICE (root has it); without it the threads keep
 * nice 0, as before, and the start log says so once.
 *
 * <pre>
 * avpush-media-dispatcher {
 *   type = Dispatcher
 *   executor = "io.avpush.pacing.NicedThreadPool"
 *   thread-nice = -10
 *   thread-pool-executor { fixed-pool-size = 2 }
 * }
 * </pre>
 */
public final class NicedThreadPool extends ExecutorServiceConfigurator {
    private static final Logger log = LoggerFactory.getLogger(NicedThreadPool.class);
    private static final AtomicBoolean REPORTED = new AtomicBoolean();

    /** The C library calls that renice a thread. */
    public interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        /** {@code syscall(SYS_gettid)}: the calling thread's kernel id. */
        long syscall(long number);

        int setpriority(int which, int who, int prio);
    }

    private static final long SYS_GETTID_X86_64 = 186;
    private static final int PRIO_PROCESS = 0;

    private final ThreadPoolExecutorConfigurator pool;
    private final int nice;

    public NicedThreadPool(Config config, DispatcherPrerequisites prerequisites) {
        super(config, prerequisites);
        this.pool = new ThreadPoolExecutorConfigurator(config.getConfig("thread-pool-executor"), prerequisites);
        this.nice = config.getInt("thread-nice");
    }

    @Override
    public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory threadFactory) {
        return pool.createExecutorServiceFactory(
                id,
                task -> threadFactory.newThread(() -> {
                    String refused = renice(nice);
                    if (REPORTED.compareAndSet(false, true)) {
                        if (refused == null) {
                            log.info("media actors run at nice {}", nice);
                        } else {
                            log.info("media actors stay at nice 0 ({})", refused);
                        }
                    }
                    task.run();
                }));
    }

    /**
     * Sets the calling thread's nice value; null when Linux allowed it, else why not. A thread
     * inherits its creator's nice value: threads started from a media actor (libwebrtc's, an
     * executor's) set theirs back to 0 with this.
     */
    public static String renice(int nice) {
        try {
            if (!System.getProperty("os.arch", "").matches("amd64|x86_64")) {
                return "not x86-64 Linux";
            }
            int tid = (int) LibC.INSTANCE.syscall(SYS_GETTID_X86_64);
            if (LibC.INSTANCE.setpriority(PRIO_PROCESS, tid, nice) == 0) {
                return null;
            }
            return "errno " + Native.getLastError() + (nice < 0 ? ", lowering nice needs CAP_SYS_NICE" : "");
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return e.toString();
        }
    }
}
