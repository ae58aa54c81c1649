package dev.hybridrouter.router.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * nginx as the reference proxy: one worker process in front of the fake upstream, with kept-alive
 * upstream connections and no response buffering (so SSE passes through as it comes), and nothing
 * logged per request. Its configuration, pid file, temp folders and error log live in a folder of
 * their own.
 */
final class NginxProxy implements AutoCloseable {

    private final ChildProcess process;
    private final int port;

    private NginxProxy(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Writes the configuration into {@code directory} and starts {@code nginx} in the foreground; returns
     * once a {@code GET} through it is answered.
     *
     * @throws BenchmarkFailure if nginx does not start or does not answer within {@code timeout}
     */
    static NginxProxy start(Path nginx, Path directory, int port, int upstreamPort, Duration timeout)
            throws IOException, InterruptedException {
        Files.createDirectories(directory);
        Path config = directory.resolve("nginx.conf");
        Files.writeString(config, config(directory, port, upstreamPort));
        Path errorLog = directory.resolve("error.log");
        ChildProcess process = ChildProcess.start(
                "nginx",
                List.of(
                        nginx.toString(),
                        "-p",
                        directory.toString(),
                        "-c",
                        config.toString(),
                        "-e",
                        errorLog.toString()),
                directory,
                Map.of(),
                directory.resolve("nginx.out"));
        NginxProxy proxy = new NginxProxy(process, port);
        try {
            Http.awaitOk("nginx", process, "http://127.0.0.1:" + port + "/health", timeout, errorLog);
        } catch (RuntimeException | InterruptedException e) {
            process.close();
            throw e;
        }
        return proxy;
    }

    static String config(Path directory, int port, int upstreamPort) {
        String dir = directory.toAbsolutePath().toString();
        return """
                # Written by PathBenchmark: nginx as a plain reverse proxy in front of the fake upstream.
                worker_processes 1;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events {
                    worker_connections 4096;
                }
                http {
                    access_log off;
                    client_body_temp_path %1$s/client_body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    keepalive_requests 100000000;
                    keepalive_timeout 75s;
                    upstream fake {
                        server 127.0.0.1:%3$d;
                        keepalive 256;
                        keepalive_requests 100000000;
                    }
                    server {
                        listen 127.0.0.1:%2$d backlog=4096;
                        location / {
                            proxy_pass http://fake;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            proxy_buffering off;
                        }
                    }
                }
                """
                .formatted(dir, port, upstreamPort);
    }

    int port() {
        return port;
    }

    /** The master process. */
    long pid() {
        return process.pid();
    }

    /** The worker process, which does the proxying. */
    long workerPid() {
        return process.childPidOrOwn();
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(5));
    }
}
