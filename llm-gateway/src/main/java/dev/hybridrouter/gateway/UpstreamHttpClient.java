package dev.hybridrouter.gateway;

import io.netty.channel.ChannelOption;
import java.time.Duration;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The one pooled, non-blocking HTTP client every remote model call goes through: Reactor Netty, a pool of
 * keep-alive connections per upstream host, built once per process and shared by every policy version.
 */
public final class UpstreamHttpClient implements AutoCloseable {

    private final ConnectionProvider pool;
    private final HttpClient http;

    private UpstreamHttpClient(ConnectionProvider pool) {
        this.pool = pool;
        this.http = HttpClient.create(pool).compress(false).keepAlive(true);
    }

    /**
     * @param maxConnectionsPerHost connections kept to one upstream host; calls beyond wait for one
     * @param pendingAcquireTimeout the longest a call waits for a pooled connection
     * @param maxIdleTime an idle connection is closed after this long (upstreams close theirs too)
     */
    public static UpstreamHttpClient create(
            int maxConnectionsPerHost, Duration pendingAcquireTimeout, Duration maxIdleTime) {
        return new UpstreamHttpClient(ConnectionProvider.builder("upstreams")
                .maxConnections(maxConnectionsPerHost)
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(pendingAcquireTimeout)
                .maxIdleTime(maxIdleTime)
                .evictInBackground(maxIdleTime)
                .metrics(false)
                .build());
    }

    /** A pool sized for a gateway: 512 connections per host, 10 s to get one, idle ones closed after 30 s. */
    public static UpstreamHttpClient ofDefaults() {
        return create(512, Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    /** The client for one upstream: the shared pool, with that upstream's connect timeout. */
    public HttpClient forUpstream(Duration connectTimeout) {
        return http.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.toIntExact(connectTimeout.toMillis()));
    }

    @Override
    public void close() {
        pool.dispose();
    }
}
