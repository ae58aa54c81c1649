package dev.hybridrouter.router.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Time to first byte of streamed answers: one kept-alive HTTP/1.1 connection, one request at a time,
 * written and read on a plain socket so that nothing but the socket stands between the clock and the
 * bytes. For each request it measures, from just before writing the request, the time to the first
 * byte of the response body (the first byte of the first SSE event, after the status line, headers and
 * chunk-size line) and the time to the end of the response.
 */
final class TtfbProbe {

    /**
     * What one run of the probe measured, in microseconds, sorted.
     *
     * @param failures answers that were not 200 with a complete stream ({@code [DONE]})
     */
    record Result(List<Long> firstByteMicros, List<Long> completeMicros, int failures) {

        long firstByte(double percentile) {
            return at(firstByteMicros, percentile);
        }

        long complete(double percentile) {
            return at(completeMicros, percentile);
        }

        private static long at(List<Long> sorted, double percentile) {
            if (sorted.isEmpty()) {
                return 0;
            }
            int index = (int) Math.ceil(percentile / 100 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
        }
    }

    private TtfbProbe() {}

    /** A streamed chat request for {@code message}, as HTTP/1.1 bytes. */
    static byte[] streamedRequest(int port, String message) {
        byte[] body = ("{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":" + BenchPolicy.json(message)
                        + "}],\"stream\":true}")
                .getBytes(StandardCharsets.UTF_8);
        String head = String.format(
                Locale.ROOT,
                "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
                        + "Accept: text/event-stream\r\nContent-Length: %d\r\n\r\n",
                port,
                body.length);
        byte[] head8 = head.getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[head8.length + body.length];
        System.arraycopy(head8, 0, request, 0, head8.length);
        System.arraycopy(body, 0, request, head8.length, body.length);
        return request;
    }

    /** Sends {@code warmup} requests unmeasured, then {@code count} measured ones, to 127.0.0.1:{@code port}. */
    static Result run(int port, String message, int warmup, int count) throws IOException {
        byte[] request = streamedRequest(port, message);
        List<Long> firstBytes = new ArrayList<>(count);
        List<Long> completes = new ArrayList<>(count);
        int failures = 0;
        Connection connection = null;
        try {
            for (int i = 0; i < warmup + count; i++) {
                if (connection == null) {
                    connection = new Connection(port);
                }
                Exchange exchange;
                try {
                    exchange = connection.exchange(request);
                } catch (IOException e) {
                    failures += i >= warmup ? 1 : 0;
                    connection.close();
                    connection = null;
                    continue;
                }
                if (i >= warmup) {
                    if (exchange.status() == 200 && exchange.body().contains("[DONE]")) {
                        firstBytes.add(exchange.firstByteNanos() / 1000);
                        completes.add(exchange.completeNanos() / 1000);
                    } else {
                        failures++;
                    }
                }
                if (exchange.closes()) {
                    connection.close();
                    connection = null;
                }
            }
        } finally {
            if (connection != null) {
                connection.close();
            }
        }
        firstBytes.sort(null);
        completes.sort(null);
        return new Result(List.copyOf(firstBytes), List.copyOf(completes), failures);
    }

    private record Exchange(int status, String body, long firstByteNanos, long completeNanos, boolean closes) {}

    private static final class Connection implements AutoCloseable {

        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Connection(int port) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            out = socket.getOutputStream();
        }

        Exchange exchange(byte[] request) throws IOException {
            long start = System.nanoTime();
            out.write(request);
            out.flush();
            String statusLine = line();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP/1.x answer: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            long length = -1;
            boolean chunked = false;
            boolean closes = parts[0].equals("HTTP/1.0");
            for (String header = line(); !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.contains("chunked");
                    case "connection" -> closes = value.contains("close") || (closes && !value.contains("keep-alive"));
                    default -> {}
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream(1024);
            long firstByte = -1;
            if (chunked) {
                for (long size = chunkSize(); size > 0; size = chunkSize()) {
                    int first = read();
                    if (firstByte < 0) {
                        firstByte = System.nanoTime() - start;
                    }
                    body.write(first);
                    copy(size - 1, body);
                    line(); // the CRLF after the chunk
                }
                while (!line().isEmpty()) {
                    // trailers
                }
            } else if (length >= 0) {
                if (length > 0) {
                    body.write(read());
                    firstByte = System.nanoTime() - start;
                    copy(length - 1, body);
                }
            } else {
                // no length: the body runs to the end of the connection
                int first = in.read();
                if (first >= 0) {
                    firstByte = System.nanoTime() - start;
                    body.write(first);
                    in.transferTo(body);
                }
                closes = true;
            }
            long complete = System.nanoTime() - start;
            return new Exchange(
                    status,
                    body.toString(StandardCharsets.UTF_8),
                    firstByte < 0 ? complete : firstByte,
                    complete,
                    closes);
        }

        private long chunkSize() throws IOException {
            String line = line();
            int semicolon = line.indexOf(';');
            return Long.parseLong((semicolon < 0 ? line : line.substring(0, semicolon)).trim(), 16);
        }

        private int read() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed mid-answer");
            }
            return b;
        }

        private void copy(long count, ByteArrayOutputStream to) throws IOException {
            byte[] buffer = new byte[8192];
            while (count > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, count));
                if (n < 0) {
                    throw new EOFException("connection closed mid-answer");
                }
                to.write(buffer, 0, n);
                count -= n;
            }
        }

        /** One line without its CRLF. */
        private String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            for (int b = read(); b != '\n'; b = read()) {
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
