package io.avpush.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The process's threads as /proc/self/task lists them, and the groups the benchmarks count them in. */
final class Threads {

    /** utime + stime (clock ticks) and name of every thread of this process, native ones included. */
    static Map<Integer, ThreadCpu> procThreadCpu() {
        Map<Integer, ThreadCpu> result = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String comm = stat.substring(open + 1, close);
                    String[] rest = stat.substring(close + 2).split(" ");
                    // rest[0] is field 3 (state); utime is field 14, stime field 15
                    long ticks = Long.parseLong(rest[11]) + Long.parseLong(rest[12]);
                    result.put(Integer.parseInt(task.getFileName().toString()), new ThreadCpu(comm, ticks));
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return result;
    }

    /** Context switches (voluntary + involuntary) of every thread of this process: how often each was woken or preempted. */
    static Map<Integer, Long> procThreadSwitches() {
        Map<Integer, Long> result = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    long sum = 0;
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")
                                || line.startsWith("nonvoluntary_ctxt_switches:")) {
                            sum += Long.parseLong(
                                    line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                    result.put(Integer.parseInt(task.getFileName().toString()), sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return result;
    }

    /**
     * Whether a thread is one of the receivers' (the bench's WebRTC viewers'), not the server's: born
     * while a receiver was made or set up (its factory's worker, network and signaling threads, and
     * its audio module's playout thread, which libwebrtc starts once the first receive stream exists
     * and which decodes the audio), or, born later, named for receiving (decoder threads).
     */
    static boolean receiverThread(int tid, Map<Integer, String> births, java.util.Set<Integer> receiverTids) {
        String birth = births.get(tid);
        return receiverTids.contains(tid) || (birth != null && birth.startsWith("recv-"));
    }

    /** The thread group of a thread by its name; {@code receiver}: a receiver's thread (see {@link #receiverThread}). */
    static String category(String comm, boolean receiver) {
        String cat = category(comm);
        if (receiver && !cat.equals("decoder(recv)") && !cat.equals("encoder")) {
            return "receiver-factory";
        }
        return cat;
    }

    static String category(String comm) {
        String c = comm.toLowerCase(Locale.ROOT);
        if (c.startsWith("avpush-pacer")) {
            return "pacer";
        }
        if (c.startsWith("avpush-avpush")) {
            return "decode-dispatcher";
        }
        if (c.startsWith("avpush-pekko") || c.startsWith("avpush-schedul")) {
            return "pekko";
        }
        if (c.contains("encod")) {
            return "encoder";
        }
        if (c.contains("decod") || c.contains("incomingvideo")) {
            return "decoder(recv)";
        }
        if (c.startsWith("httpclient") || c.startsWith("bench-")) {
            return "bench-client";
        }
        if (c.startsWith("gc thread")
                || c.startsWith("g1 ")
                || c.startsWith("vm thread")
                || c.startsWith("z")
                || c.startsWith("shenandoah")
                || c.startsWith("pargc")
                || c.startsWith("conc")) {
            return "gc";
        }
        if (c.startsWith("c1 compiler") || c.startsWith("c2 compiler")) {
            return "jit";
        }
        return "other";
    }

    private Threads() {}
}
