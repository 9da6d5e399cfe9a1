package io.avpush.testing;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Running a system command from a test (ip, nsenter, turnserver ...), its output discarded. */
public final class Commands {

    private Commands() {}

    /** Runs {@code command}; its exit status, or -1 when it did not end within 10 s (then it is killed). */
    public static int run(String... command) throws IOException, InterruptedException {
        return run(List.of(command));
    }

    /** As {@link #run(String...)}. */
    public static int run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
