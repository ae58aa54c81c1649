package dev.hybridrouter.router.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Slow and idle clients against the running server, with short limits: none of them keeps a connection
 * open past its limit, and connections beyond the cap are closed at once while the server keeps serving.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "server.netty.idle-timeout=500ms",
            "router.server.header-timeout=500ms",
            "router.server.read-timeout=400ms",
            "router.server.request-timeout=1s",
            "router.server.max-connections=4"
        })
class ServerLimitsIT {

    /** How long a test waits for the server to act; far above every limit, so only a real hang trips it. */
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @LocalServerPort
    int port;

    private final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void close() throws IOException {
        trickle.shutdownNow();
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    @Test
    void should_close_a_connection_that_never_sends_a_request() throws IOException {
        Socket socket = connect();

        long started = System.nanoTime();
        assertThat(socket.getInputStream().read()).isEqualTo(-1);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void should_close_a_connection_whose_headers_trickle_in() throws IOException {
        Socket socket = connect();
        OutputStream out = socket.getOutputStream();
        out.write("POST /v1/chat/completions HTTP/1.1\r\nHost: router\r\n".getBytes(StandardCharsets.US_ASCII));
        trickle.scheduleAtFixedRate(() -> write(out, "X-Slow: yes\r\n"), 100, 100, TimeUnit.MILLISECONDS);

        long started = System.nanoTime();
        assertThat(socket.getInputStream().read()).isEqualTo(-1);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void should_end_a_request_whose_body_trickles_in() throws IOException {
        Socket socket = connect();
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: router\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 10000\r\n\r\n{\"messages\":[")
                .getBytes(StandardCharsets.US_ASCII));
        trickle.scheduleAtFixedRate(() -> write(out, " "), 100, 100, TimeUnit.MILLISECONDS);

        long started = System.nanoTime();
        String answer = readAll(socket.getInputStream());

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThat(answer).satisfiesAnyOf(text -> assertThat(text).isEmpty(), text -> assertThat(text)
                .startsWith("HTTP/1.1 408"));
    }

    @Test
    void should_close_connections_beyond_the_limit_at_once_and_keep_serving() throws IOException {
        for (int i = 0; i < 4; i++) {
            connect();
        }
        Socket fifth = connect();

        assertThat(fifth.getInputStream().read()).isEqualTo(-1);

        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
        assertThat(get("/actuator/health/liveness")).startsWith("HTTP/1.1 200").contains("UP");
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(Math.toIntExact(PATIENCE.toMillis()));
        sockets.add(socket);
        return socket;
    }

    /** Sends a request on a connection of its own, retrying while earlier connections are still closing. */
    private String get(String path) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Socket socket = connect();
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: router\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String answer = readAll(socket.getInputStream());
            if (!answer.isEmpty() || attempt == 20) {
                return answer;
            }
        }
    }

    private static String readAll(InputStream in) throws IOException {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.net.SocketException reset) {
            return "";
        }
    }

    private static void write(OutputStream out, String text) {
        try {
            out.write(text.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException closed) {
            // the server closed the connection: what the test waits for
        }
    }
}
