package dev.hybridrouter.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybridrouter.gateway.http.SseDecoder.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseDecoderTest {

    private static final String STREAM = ": keep-alive\r\n"
            + "data: {\"a\":1}\r\n\r\n"
            + "event: error\n"
            + "data: line one\n"
            + "data:line two\n"
            + "id: 7\n\n"
            + "data: ünïcödé €\r\r"
            + "data: [DONE]\n\n";

    private static final List<Event> EVENTS = List.of(
            new Event("message", "{\"a\":1}"),
            new Event("error", "line one\nline two"),
            new Event("message", "ünïcödé €"),
            new Event("message", "[DONE]"));

    @Test
    void should_read_every_event_whole() {
        assertThat(decode(STREAM.getBytes(StandardCharsets.UTF_8), 1_000_000)).isEqualTo(EVENTS);
    }

    @Test
    void should_read_the_same_events_wherever_the_stream_is_split() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        for (int first = 0; first <= bytes.length; first++) {
            for (int second = first; second <= bytes.length; second += 7) {
                SseDecoder decoder = new SseDecoder(1_000_000);
                List<Event> events = new ArrayList<>();
                events.addAll(decoder.feed(Arrays.copyOfRange(bytes, 0, first)));
                events.addAll(decoder.feed(Arrays.copyOfRange(bytes, first, second)));
                events.addAll(decoder.feed(Arrays.copyOfRange(bytes, second, bytes.length)));
                events.addAll(decoder.finish());
                assertThat(events).as("split at %d and %d", first, second).isEqualTo(EVENTS);
            }
        }
    }

    @Test
    void should_give_the_last_event_when_the_stream_ends_without_a_blank_line() {
        SseDecoder decoder = new SseDecoder(100);

        assertThat(decoder.feed("data: x".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(decoder.finish()).containsExactly(new Event("message", "x"));
    }

    @Test
    void should_refuse_an_event_over_the_limit() {
        SseDecoder decoder = new SseDecoder(10);

        assertThatThrownBy(() -> decoder.feed("data: 0123456789".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("10 bytes");
    }

    private static List<Event> decode(byte[] bytes, int limit) {
        SseDecoder decoder = new SseDecoder(limit);
        List<Event> events = new ArrayList<>(decoder.feed(bytes));
        events.addAll(decoder.finish());
        return events;
    }
}
