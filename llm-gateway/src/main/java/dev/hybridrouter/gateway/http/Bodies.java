package dev.hybridrouter.gateway.http;

import dev.hybridrouter.gateway.UpstreamException;
import java.io.ByteArrayOutputStream;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;

/** Reads a response body into memory, up to a limit, so that no upstream can exhaust the router's heap. */
public final class Bodies {

    private Bodies() {}

    /**
     * @param upstream how errors name the upstream
     * @return the body's bytes, empty when there is no body
     */
    public static Mono<byte[]> read(ByteBufFlux body, int limit, String upstream) {
        return body.asByteArray()
                .collect(ByteArrayOutputStream::new, (all, piece) -> {
                    if (all.size() + piece.length > limit) {
                        throw new UpstreamException(
                                UpstreamException.Kind.MALFORMED,
                                upstream + " answered with a body larger than " + limit + " bytes");
                    }
                    all.writeBytes(piece);
                })
                .map(ByteArrayOutputStream::toByteArray);
    }
}
