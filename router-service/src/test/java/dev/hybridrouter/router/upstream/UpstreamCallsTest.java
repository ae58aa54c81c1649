package dev.hybridrouter.router.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.privacy.PiiDetector;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

/** A caller that goes away cancels the upstream call: no work continues for a gone client. */
class UpstreamCallsTest {

    private final Guard guard = new UpstreamResilience(new SimpleMeterRegistry(), Clock.systemUTC())
            .guard(Target.specialist("slm"), Policy.Resilience.DEFAULTS, Duration.ofSeconds(60));
    private static final Egress ANYWHERE =
            new Egress(null, PiiDetector.of(Policy.Privacy.DEFAULTS), Egress.EscalationListener.NONE);

    private final ChatRequest request =
            ChatRequest.builder().messages(UserMessage.from("hi")).build();

    @Test
    void should_cancel_the_upstream_stream_when_the_caller_cancels() {
        AtomicBoolean cancelled = new AtomicBoolean();
        StreamingChatModel model = new StreamingChatModel() {
            @Override
            public void chat(ChatRequest chatRequest, StreamingChatResponseHandler handler) {
                StreamingHandle handle = new StreamingHandle() {
                    @Override
                    public void cancel() {
                        cancelled.set(true);
                    }

                    @Override
                    public boolean isCancelled() {
                        return cancelled.get();
                    }
                };
                handler.onPartialResponse(new PartialResponse("first"), new PartialResponseContext(handle));
            }
        };
        Upstream upstream = new Upstream(Target.specialist("slm"), "specialist 'slm'", null, model, List.of(), guard);

        StepVerifier.create(UpstreamCalls.stream(upstream, request, ANYWHERE), 1)
                .expectNext(new UpstreamCalls.StreamEvent.Token("first"))
                .thenCancel()
                .verify(Duration.ofSeconds(5));

        assertThat(cancelled).isTrue();
    }

    @Test
    void should_interrupt_the_blocked_upstream_call_when_the_caller_cancels() throws InterruptedException {
        CountDownLatch calling = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        ChatModel model = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest chatRequest) {
                calling.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    interrupted.countDown();
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("interrupted");
            }
        };
        Upstream upstream = new Upstream(Target.specialist("slm"), "specialist 'slm'", model, null, List.of(), guard);

        Disposable call = UpstreamCalls.complete(upstream, request, ANYWHERE).subscribe(answer -> {}, error -> {});
        assertThat(calling.await(5, TimeUnit.SECONDS)).isTrue();
        call.dispose();

        assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    }
}
