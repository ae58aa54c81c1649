package dev.hybridrouter.router;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real {@code redis-server} (the Debian package) on a free port, for tests of what replicas share, without
 * persistence. A machine without it fails the test that needs it, saying how to install it: {@code .ci/run} installs
 * it when it is missing.
 */
public final class RedisServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private RedisServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static RedisServer start() {
        return start(freePort());
    }

    /** A server on this port, e.g. one a client was told about before the server ran. */
    public static RedisServer start(int port) {
        try {
            Path log = Files.createTempFile("redis-server-", ".log");
            Process process;
            try {
                process = new ProcessBuilder(
                                "redis-server",
                                "--port",
                                Integer.toString(port),
                                "--bind",
                                "127.0.0.1",
                                "--save",
                                "",
                                "--appendonly",
                                "no")
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
            } catch (IOException e) {
                throw new IllegalStateException(
                        "redis-server is not installed here (apt-get install redis-server; .ci/run installs it)", e);
            }
            RedisServer server = new RedisServer(process, port, log);
            await().atMost(Duration.ofSeconds(20)).until(server::answers);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Stops the server, as an outage would. */
    @Override
    public void close() {
        process.destroy();
        await().atMost(Duration.ofSeconds(20)).until(() -> !process.isAlive());
    }

    private boolean answers() {
        if (!process.isAlive()) {
            throw new IllegalStateException("redis-server ended: " + read(log));
        }
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] reply = new byte[7];
            return socket.getInputStream().read(reply) > 0
                    && new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
