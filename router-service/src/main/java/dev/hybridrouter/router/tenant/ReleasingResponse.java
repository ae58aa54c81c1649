package dev.hybridrouter.router.tenant;

import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A response that frees its request's {@link TenantLimits.Permit} at the last moment before the caller can see the
 * response end, so that a caller who sends its next request only after the last one ended never finds the slot of
 * the last one still taken. A whole body (one buffer, with its length) frees it before the buffer is written; a
 * streamed or chunked body when the body is complete, before the chunk that ends the response; an empty response
 * before it is completed. Freeing happens once, whichever comes first, also when {@link #release} is called because
 * the request failed or its caller went away.
 */
final class ReleasingResponse extends ServerHttpResponseDecorator {

    private final TenantLimits.Permit permit;
    private final AtomicBoolean released = new AtomicBoolean();

    ReleasingResponse(ServerHttpResponse response, TenantLimits.Permit permit) {
        super(response);
        this.permit = permit;
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        return super.writeWith(
                body instanceof Mono<? extends DataBuffer> whole
                        ? whole.doOnNext(buffer -> release())
                        : Flux.from(body).doOnComplete(this::release));
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        return super.writeAndFlushWith(Flux.from(body).doOnComplete(this::release));
    }

    @Override
    public Mono<Void> setComplete() {
        release();
        return super.setComplete();
    }

    void release() {
        if (released.compareAndSet(false, true)) {
            permit.release();
        }
    }
}
