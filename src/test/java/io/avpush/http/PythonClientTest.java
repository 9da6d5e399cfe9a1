package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Python client ({@code clients/python}) end to end: runs its unittest suite with the
 * machine's python3 (Debian's in CI; {@code -Davpush.python=...} picks another) against a live
 * server on loopback with a recording transport. Every Python test must run and pass: a skip
 * (the live tests skip without a server) fails this test.
 */
class PythonClientTest {

  private static final String KEY = "python-client-key-0123456789";

  @Test
  void thePythonClientsTestsPassAgainstALiveServer() throws Exception {
    try (TestServer server = TestServer.start("python-client", new FakeOutputs(),
        "avpush.media { default-width = 64, default-height = 64 }");
        TestServer keyed = TestServer.start("python-client-keyed", new FakeOutputs(),
            "avpush.media { default-width = 64, default-height = 64 }\navpush.auth.api-keys = [\"" + KEY + "\"]\n"
                + "avpush.auth.token-secret = python-client-test-token-secret-0123")) {
      ProcessBuilder pb = new ProcessBuilder(System.getProperty("avpush.python", "python3"),
          "-m", "unittest", "-v", "test_avpush_client")
          .directory(new File("clients/python"))
          .redirectErrorStream(true);
      pb.environment().put("AVPUSH_URL", server.client.base().toString());
      pb.environment().put("AVPUSH_KEY_URL", keyed.client.base().toString());
      pb.environment().put("AVPUSH_KEY", KEY);
      pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
      Process python = pb.start();
      String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(python.waitFor(120, TimeUnit.SECONDS), "python3 -m unittest finished within 120 s");
      assertEquals(0, python.exitValue(), output);
      assertTrue(output.contains("\nOK"), output);
      assertFalse(output.contains("skipped"), "no Python test may be skipped:\n" + output);
    }
  }
}
