package dev.hybridrouter.router.config;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose request headers take longer than the header timeout from their first byte:
 * a client that trickles headers a byte at a time keeps no connection open. Reactor Netty's own idle
 * timeout cannot see this (every byte counts as activity), and its request timeout starts after the
 * headers. Two handlers share the state: one before the HTTP codec sees the raw bytes arrive, one after it
 * sees the headers complete. One pair per connection; both run on its event loop.
 */
final class HeaderDeadline {

    static final String RAW = "hybridrouter.headerDeadline.raw";
    static final String DECODED = "hybridrouter.headerDeadline.decoded";

    private final long timeoutNanos;
    private ScheduledFuture<?> timer;
    private boolean inRequest;

    HeaderDeadline(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    /** Arms the timer at the first byte of a request's headers. Goes before the HTTP codec. */
    ChannelInboundHandlerAdapter raw() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf && !inRequest && timer == null) {
                    timer = ctx.executor().schedule(() -> ctx.close(), timeoutNanos, TimeUnit.NANOSECONDS);
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                disarm();
                ctx.fireChannelInactive();
            }
        };
    }

    /** Disarms it when the headers are complete; the next request's bytes arm it again. Goes after the codec. */
    ChannelInboundHandlerAdapter decoded() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    disarm();
                    inRequest = true;
                }
                if (msg instanceof LastHttpContent) {
                    inRequest = false;
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    private void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
