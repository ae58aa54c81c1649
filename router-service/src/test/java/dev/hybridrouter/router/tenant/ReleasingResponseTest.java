package dev.hybridrouter.router.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** When a response frees its tenant's slot: before the caller can see the response end, and only once. */
class ReleasingResponseTest {

    private final AtomicInteger releases = new AtomicInteger();
    private final MockServerHttpResponse written = new MockServerHttpResponse();
    private final ReleasingResponse response = new ReleasingResponse(written, releases::incrementAndGet);

    /** What was released when each buffer reached the wire, and when the response ended. */
    private final List<String> events = new ArrayList<>();

    ReleasingResponseTest() {
        written.setWriteHandler(body -> Flux.from(body)
                .doOnNext(buffer -> events.add(text(buffer) + " written, released " + releases.get()))
                .then(Mono.fromRunnable(() -> events.add("ended, released " + releases.get()))));
    }

    @Test
    void should_free_the_slot_of_a_whole_answer_before_its_body_is_written() {
        // when
        response.writeWith(Mono.just(buffer("{}"))).block();

        // then
        assertThat(events).containsExactly("{} written, released 1", "ended, released 1");
    }

    @Test
    void should_free_the_slot_of_a_chunked_body_after_its_last_chunk_before_the_response_ends() {
        // when
        response.writeWith(Flux.just(buffer("a"), buffer("b"))).block();

        // then
        assertThat(events).containsExactly("a written, released 0", "b written, released 0", "ended, released 1");
    }

    @Test
    void should_free_the_slot_of_a_stream_when_its_events_are_complete_before_the_response_ends() {
        // when
        response.writeAndFlushWith(Flux.just(Mono.just(buffer("data: 1")), Mono.just(buffer("data: [DONE]"))))
                .block();

        // then
        assertThat(events)
                .containsExactly(
                        "data: 1 written, released 0", "data: [DONE] written, released 0", "ended, released 1");
    }

    @Test
    void should_free_the_slot_of_an_empty_response_before_it_completes() {
        // when
        response.setComplete().block();

        // then
        assertThat(releases).hasValue(1);
    }

    @Test
    void should_free_the_slot_once_when_a_failed_request_is_released_again() {
        // given
        response.writeWith(Mono.just(buffer("{}"))).block();

        // when
        response.release();
        response.release();

        // then
        assertThat(releases).hasValue(1);
    }

    private static DataBuffer buffer(String text) {
        return DefaultDataBufferFactory.sharedInstance.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(DataBuffer buffer) {
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
