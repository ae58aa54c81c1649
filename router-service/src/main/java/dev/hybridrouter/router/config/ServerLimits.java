package dev.hybridrouter.router.config;

import dev.hybridrouter.router.RouterProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * The server's own limits, before any application code runs: request headers within {@code
 * header-timeout} of their first byte, no gap longer than {@code read-timeout} while a request is read,
 * the whole request within {@code request-timeout}, and at most {@code max-connections} open at once
 * (more are closed as soon as they are accepted, counted in {@code router.server.connections.refused}).
 * Idle keep-alive connections close after Spring Boot's {@code server.netty.idle-timeout}.
 */
@Component
class ServerLimits implements NettyServerCustomizer {

    private static final Logger log = LoggerFactory.getLogger(ServerLimits.class);

    private final RouterProperties.Server settings;
    private final AtomicInteger open = new AtomicInteger();
    private final Counter refused;

    ServerLimits(RouterProperties properties, MeterRegistry meters) {
        this.settings = properties.server();
        Gauge.builder("router.server.connections.open", open, AtomicInteger::get)
                .description("Client connections open now")
                .register(meters);
        this.refused = Counter.builder("router.server.connections.refused")
                .description("Client connections closed at once because max-connections were open")
                .register(meters);
    }

    /** Counts a refused connection; logs the first, then every ten thousandth, so that a flood cannot flood the log. */
    private void refuse() {
        refused.increment();
        long count = (long) refused.count();
        if (count == 1 || count % 10_000 == 0) {
            log.warn(
                    "Refused a client connection: {} are open (router.server.max-connections); {} refused so far",
                    settings.maxConnections(),
                    count);
        }
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.readTimeout(settings.readTimeout())
                .requestTimeout(settings.requestTimeout())
                .doOnChannelInit((observer, channel, remoteAddress) -> {
                    int now = open.incrementAndGet();
                    channel.closeFuture().addListener(closed -> open.decrementAndGet());
                    if (now > settings.maxConnections()) {
                        refuse();
                        channel.close();
                        return;
                    }
                    if (channel.pipeline().get(NettyPipeline.HttpCodec) != null) {
                        HeaderDeadline deadline = new HeaderDeadline(settings.headerTimeout());
                        channel.pipeline()
                                .addBefore(NettyPipeline.HttpCodec, HeaderDeadline.RAW, deadline.raw())
                                .addAfter(NettyPipeline.HttpCodec, HeaderDeadline.DECODED, deadline.decoded());
                    }
                });
    }
}
