package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.webrtc.WebRtcEngine;
import io.avpush.webrtc.WebRtcTransports;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Python client ({@code clients/python}) as a user installs and runs it, against live nodes
 * with real WebRTC: its wheel is built and installed into a fresh virtual environment with numpy
 * (Debian's, through {@code --system-site-packages}), the documented offline
 * {@code pip install ./clients/python} goes into a second one with nothing but the standard
 * library, and each runs the client's unittest suites there: pure, blocking and asyncio clients
 * against the node, both again over TLS (through a proxy the Python test starts), the examples.
 * The Python tests connect real viewers (aiortc, Debian's python3-aiortc) to the sessions they make. Every Python test must run and pass (a skip fails
 * this test) and no session may be left on either node.
 *
 * <p>The Python is {@code /usr/bin/python3} (Debian's, which {@code scripts/test-all.sh} equips
 * with python3-venv, python3-numpy, python3-aiortc, python3-wheel and python3-wheel-whl, and
 * openssl for the TLS test's certificate);
 * {@code -Davpush.python=...} picks another. Runs inside {@code scripts/in-netns.sh}.
 */
@Tag("webrtc")
class PythonClientTest {

    private static final String KEY = "python-client-key-0123456789";
    private static final Path CLIENT = Path.of("clients/python").toAbsolutePath();
    private static final long MINUTES = 10;

    @Test
    void thePythonClientInstalledInFreshVirtualEnvironmentsPassesItsTestsAgainstLiveNodes() throws Exception {
        String python = System.getProperty(
                "avpush.python", new File("/usr/bin/python3").canExecute() ? "/usr/bin/python3" : "python3");
        Path work = Path.of(System.getProperty("avpush.buildDir", "target"), "python-client")
                .toAbsolutePath();
        deleteTree(work);
        Files.createDirectories(work);

        // The wheel CI builds, installed where numpy (and aiortc, for the viewers) are.
        run(
                work,
                python,
                "-m",
                "pip",
                "wheel",
                "--no-index",
                "--no-build-isolation",
                "--no-deps",
                "-w",
                work.resolve("dist").toString(),
                CLIENT.toString());
        Path wheel = Files.list(work.resolve("dist"))
                .filter(p -> p.toString().endsWith(".whl"))
                .findFirst()
                .orElseThrow();
        Path withNumpy = work.resolve("venv-numpy");
        run(work, python, "-m", "venv", "--system-site-packages", withNumpy.toString());
        run(work, bin(withNumpy, "pip"), "install", "--no-index", "--no-deps", wheel.toString());
        // The README's offline install, into an environment with the standard library only.
        Path plain = work.resolve("venv-plain");
        run(work, python, "-m", "venv", plain.toString());
        run(
                work,
                bin(plain, "pip"),
                "install",
                "--no-index",
                "--find-links",
                "/usr/share/python-wheels",
                CLIENT.toString());
        String noNumpy = run(
                work,
                bin(plain, "python"),
                "-c",
                "import importlib.util, avpush; print(avpush.__file__, importlib.util.find_spec('numpy') is None)");
        assertTrue(
                noNumpy.startsWith(plain.toString()) && noNumpy.strip().endsWith("True"),
                "the plain environment imports the installed avpush and has no numpy: " + noNumpy);

        try (WebRtcEngine engine = WebRtcEngine.start(List.of());
                TestServer server = TestServer.start("python-client", new WebRtcTransports(engine), "");
                TestServer keyed = TestServer.start(
                        "python-client-keyed",
                        new WebRtcTransports(engine),
                        "avpush.auth.api-keys = [\"" + KEY
                                + "\"]\navpush.auth.token-secret = python-client-test-token-secret-0123")) {
            Map<String, String> env = Map.of(
                    "AVPUSH_URL",
                    server.client.base().toString(),
                    "AVPUSH_KEY_URL",
                    keyed.client.base().toString(),
                    "AVPUSH_KEY",
                    KEY,
                    "AVPUSH_VIEWER_PYTHON",
                    python);
            String numpyRun = unittest(
                    withNumpy,
                    env,
                    "test_pure",
                    "test_numpy_input",
                    "test_live",
                    "test_live_async",
                    "test_examples",
                    "test_tls");
            String plainRun = unittest(plain, env, "test_pure", "test_live", "test_tls");
            System.out.println("Python client with numpy:\n" + tail(numpyRun) + "\nwithout numpy:\n" + tail(plainRun));

            assertEquals(
                    "{\"sessions\":[]}",
                    server.client.get("/api/sessions").body(),
                    "the Python tests deleted every session they made");
            assertEquals(
                    "{\"sessions\":[]}",
                    keyed.client.bearer(KEY).get("/api/sessions").body(),
                    "the Python tests deleted every session they made on the keyed node");
        }
    }

    /** Runs the suites with the environment's Python from the tests' folder, so the installed avpush is imported. */
    private static String unittest(Path venv, Map<String, String> env, String... modules) throws Exception {
        List<String> command = new ArrayList<>(List.of(bin(venv, "python"), "-m", "unittest", "-v"));
        command.addAll(List.of(modules));
        String output = run(CLIENT.resolve("tests"), env, command);
        assertTrue(output.contains("\nOK"), output);
        assertFalse(output.contains("skipped"), "no Python test may be skipped:\n" + output);
        return output;
    }

    private static String run(Path dir, String... command) throws Exception {
        return run(dir, Map.of(), List.of(command));
    }

    /**
     * Runs a command and returns its output; fails with the output unless it exits 0 within the limit.
     * pip sees no configuration of this machine (no index, no extra wheels): what it installs comes
     * from the client's folder and Debian's packages, as on a fresh CI machine.
     */
    private static String run(Path dir, Map<String, String> env, List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(name -> name.startsWith("PIP_") || name.equals("PYTHONPATH"));
        pb.environment().put("PIP_CONFIG_FILE", "/dev/null");
        pb.environment().put("PIP_DISABLE_PIP_VERSION_CHECK", "1");
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        pb.environment().putAll(env);
        Process process = pb.start();
        Path log = Files.createTempFile("python-client", ".log");
        try {
            Thread copier = new Thread(() -> {
                try {
                    Files.copy(process.getInputStream(), log, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    // the output ends with the process
                }
            });
            copier.start();
            boolean ended = process.waitFor(MINUTES, TimeUnit.MINUTES);
            if (!ended) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            copier.join(10_000);
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue(ended, String.join(" ", command) + " did not end within " + MINUTES + " minutes:\n" + output);
            assertEquals(0, process.exitValue(), String.join(" ", command) + " failed:\n" + output);
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String bin(Path venv, String program) {
        return venv.resolve("bin").resolve(program).toString();
    }

    private static String tail(String output) {
        String[] lines = output.strip().split("\n");
        return String.join("\n", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - 3), lines.length));
    }

    private static void deleteTree(Path root) throws IOException {
        if (Files.exists(root)) {
            try (var paths = Files.walk(root)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
