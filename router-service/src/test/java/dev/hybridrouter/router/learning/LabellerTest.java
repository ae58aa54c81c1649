package dev.hybridrouter.router.learning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hybridrouter.gateway.ChatClient;
import dev.hybridrouter.gateway.wire.ChatCompletion;
import dev.hybridrouter.gateway.wire.ChatCompletionChunk;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.policies.PolicyLoader;
import dev.hybridrouter.router.execution.ResponseCache;
import dev.hybridrouter.router.execution.Upstream;
import dev.hybridrouter.router.policy.ActivePolicy;
import dev.hybridrouter.router.routing.Attempt;
import dev.hybridrouter.router.routing.Router;
import dev.hybridrouter.router.routing.RoutingDecision;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** The labeller's budget and queue, with a teacher that answers when the test lets it. */
class LabellerTest {

    @TempDir
    Path directory;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Sinks.One<ChatCompletion> answer = Sinks.one();
    private final AtomicInteger calls = new AtomicInteger();
    private Labeller labeller;

    @AfterEach
    void close() {
        answer.tryEmitEmpty();
        labeller.close();
    }

    @Test
    void should_not_spend_the_days_budget_on_a_request_the_full_queue_turned_away() {
        // given: three labels a day, one request waiting at most; the teacher is busy with the first
        Policy policy = policy("labels-per-day: 3, queue-size: 1");
        labeller = new Labeller("shop", policy.learning(), Clock.systemUTC(), new SplittableRandom(1), meters, l -> {});
        ActivePolicy active = active(policy);
        labeller.offer(active, escalated(), request("first"));
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 1);

        // when
        labeller.offer(active, escalated(), request("second, queued"));
        labeller.offer(active, escalated(), request("third, the queue is full"));
        labeller.offer(active, escalated(), request("fourth, the queue is still full"));

        // then: neither request the queue turned away was counted against the day's three
        assertThat(count("queue-full")).isEqualTo(2);
        assertThat(count("over-budget")).isZero();
    }

    private Policy policy(String learning) {
        return PolicyLoader.parse(
                "shop.yaml",
                """
                version: 1
                domains:
                  - {name: orders, specialist: slm, examples: [where is my parcel]}
                specialists:
                  slm: {provider: openai-compatible, base-url: 'http://localhost:8000/v1', model: qwen}
                large-models:
                  cloud: {provider: openai, model: gpt-4o-mini}
                escalation: {large-model: cloud}
                learning: {directory: '%s', %s}
                """
                        .formatted(directory, learning));
    }

    private ActivePolicy active(Policy policy) {
        ChatClient teacher = new ChatClient() {
            @Override
            public List<String> unsupported(ChatCompletionRequest request) {
                return List.of();
            }

            @Override
            public Mono<ChatCompletion> complete(ChatCompletionRequest request, Map<String, String> headers) {
                calls.incrementAndGet();
                return answer.asMono();
            }

            @Override
            public Flux<ChatCompletionChunk> stream(ChatCompletionRequest request, Map<String, String> headers) {
                return Flux.error(new UnsupportedOperationException("the teacher is asked whole"));
            }
        };
        return new ActivePolicy(
                new Router(policy, conversation -> null, Set.of("auto"), 10),
                Map.of(Target.large("cloud").toString(), new Upstream(Target.large("cloud"), teacher, null)),
                Map.of(),
                null,
                new ResponseCache(policy.cache(), Clock.systemUTC()),
                null);
    }

    private static RoutingDecision escalated() {
        return new RoutingDecision(
                "orders",
                Target.large("cloud"),
                0.3,
                RoutingDecision.Reason.LOW_CONFIDENCE,
                Map.of("orders", 0.3),
                null,
                List.of(Attempt.of(Target.large("cloud"))));
    }

    private static ChatCompletionRequest request(String text) {
        return ChatCompletionRequest.of("auto", List.of(ChatMessage.user(text)));
    }

    private double count(String outcome) {
        Counter counter =
                meters.find("router.learning.labels").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }
}
