package dev.hybridrouter.router.execution;

import dev.hybridrouter.gateway.wire.ChatCompletion;
import dev.hybridrouter.gateway.wire.ChatCompletionChunk;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.capture.CapturedExchange;
import dev.hybridrouter.router.capture.JsonLinesWriter;
import dev.hybridrouter.router.capture.StreamedAnswer;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import dev.hybridrouter.router.learning.Labeller;
import dev.hybridrouter.router.policy.ActivePolicy;
import dev.hybridrouter.router.privacy.Masking;
import dev.hybridrouter.router.privacy.StreamUnmasker;
import dev.hybridrouter.router.routing.Attempt;
import dev.hybridrouter.router.routing.RoutingDecision;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs a routing decision's plan: the one place where a request meets the models. Each attempt, in the
 * plan's order:
 *
 * <ol>
 *   <li>the model must be configured, and able to honour every field the caller sent — else the first
 *       attempt answers 400 naming the fields, and a later one is skipped;
 *   <li>a call to a large model passes the request's {@link Egress}: a local-only request is refused, the
 *       request is masked, the answer restored, and the escalated exchange captured (still masked) when
 *       its domain captures, and offered to the policy's teacher to label when the policy learns;
 *   <li>the call runs in the upstream's {@link Guard} (bulkheads, breaker, retries, one deadline);
 *   <li>a model that is unavailable (5xx, 429, timeout, unreachable, breaker open, busy, not configured)
 *       hands the request to the next attempt; a request the upstream rejected as invalid does not.
 * </ol>
 *
 * A stream fails over only until its first chunk has gone to the caller; that moment is known here and
 * nowhere else, and after it a failure becomes the stream's last event. Answers carry the answering
 * model's policy name as {@code model}. Each attempt is observed ({@link UpstreamObservations}): a span
 * and a timer, and the trace context sent with its call.
 */
@Component
public class Execution {

    /** The wait suggested when every model failed and none said how long to wait. */
    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(10);

    private final Clock clock;
    private final UpstreamObservations observations;

    Execution(Clock clock, UpstreamObservations observations) {
        this.clock = clock;
        this.observations = observations;
    }

    /**
     * One request under one policy snapshot.
     *
     * @param requestId sent upstream as {@code x-request-id}
     */
    public record Call(
            ChatCompletionRequest request, RoutingDecision decision, ActivePolicy policy, String requestId) {}

    /** A whole answer and the attempt that gave it. */
    public record Answer(Attempt attempt, ChatCompletion completion) {}

    /** What a stream delivers: chunks, and when it breaks after it began, one last failure. */
    public sealed interface StreamEvent {

        record Chunk(ChatCompletionChunk chunk) implements StreamEvent {}

        record Failed(ApiException error) implements StreamEvent {}
    }

    /** A whole answer from the first attempt of the plan that gives one. */
    public Mono<Answer> complete(Call call) {
        return Mono.defer(() -> new Run(call).complete(0, List.of()));
    }

    /**
     * The chunks of the first attempt of the plan whose stream starts.
     *
     * @param onStart told which attempt answers, just before its first chunk goes downstream
     */
    public Flux<StreamEvent> stream(Call call, Consumer<Attempt> onStart) {
        return Flux.defer(() -> new Run(call).stream(0, List.of(), onStart));
    }

    /** One request's run through its plan. */
    private final class Run {

        private final Call call;
        private final List<Attempt> plan = new ArrayList<>();
        private final List<String> skipped = new ArrayList<>();
        private final Egress egress;

        /**
         * @throws ApiException 400 when the decision's own model cannot honour a field of the request; later
         *     attempts that cannot are left out of the plan, and named if every other attempt fails
         */
        Run(Call call) {
            this.call = call;
            this.egress = new Egress(
                    call.decision().localOnlyReason(), call.policy().router().pii(), call.request());
            List<Attempt> planned = call.decision().plan();
            for (int i = 0; i < planned.size(); i++) {
                Attempt attempt = planned.get(i);
                List<String> unsupported = call.policy()
                        .upstream(attempt.target())
                        .map(upstream -> upstream.client().unsupported(call.request()))
                        .orElse(List.of());
                if (unsupported.isEmpty()) {
                    plan.add(attempt);
                } else if (i == 0) {
                    throw ApiException.of(
                                    ErrorCode.UNSUPPORTED_PARAMETER,
                                    attempt.target().describe() + " cannot honour " + String.join(", ", unsupported)
                                            + "; send the request without "
                                            + (unsupported.size() == 1 ? "it" : "them"))
                            .withParam(unsupported.get(0));
                } else {
                    skipped.add(attempt.target().describe() + " was not tried: it cannot honour "
                            + String.join(", ", unsupported));
                }
            }
        }

        Mono<Answer> complete(int index, List<ApiException> failures) {
            Attempt attempt = plan.get(index);
            return observations
                    .whole(attempt, call.requestId(), headers -> {
                        Upstream upstream = upstream(attempt);
                        boolean failover = index > 0;
                        if (!Egress.leaves(attempt.target())) {
                            return upstream.guard()
                                    .complete(() -> upstream.client().complete(call.request(), headers), failover)
                                    .onErrorMap(failure -> UpstreamFailures.toApiException(failure, upstream))
                                    .map(answer -> new Answer(attempt, named(answer, attempt)));
                        }
                        Masking masking = egress.maskFor(attempt.target());
                        return upstream.guard()
                                .complete(() -> upstream.client().complete(masking.request(), headers), failover)
                                .onErrorMap(failure -> UpstreamFailures.toApiException(failure, upstream))
                                .map(answer -> {
                                    recordLargeModelAnswer(attempt, masking, firstMessage(answer));
                                    return new Answer(attempt, named(masking.unmask(answer), attempt));
                                });
                    })
                    .onErrorResume(ApiException.class, failure -> next(index, failures, failure)
                            .map(more -> complete(index + 1, more))
                            .orElseGet(() -> Mono.error(finalError(failures, failure))));
        }

        Flux<StreamEvent> stream(int index, List<ApiException> failures, Consumer<Attempt> onStart) {
            Attempt attempt = plan.get(index);
            AtomicBoolean started = new AtomicBoolean();
            return observations.stream(attempt, call.requestId(), headers -> {
                        Upstream upstream = upstream(attempt);
                        return chunks(attempt, upstream, index > 0, headers)
                                .onErrorMap(failure -> UpstreamFailures.toApiException(failure, upstream))
                                .doOnNext(chunk -> {
                                    if (started.compareAndSet(false, true)) {
                                        onStart.accept(attempt);
                                    }
                                })
                                .map(chunk -> (StreamEvent) new StreamEvent.Chunk(chunk));
                    })
                    .onErrorResume(ApiException.class, failure -> {
                        if (started.get()) {
                            return Flux.just(new StreamEvent.Failed(failure));
                        }
                        return next(index, failures, failure)
                                .map(more -> stream(index + 1, more, onStart))
                                .orElseGet(() -> Flux.error(finalError(failures, failure)));
                    });
        }

        private Flux<ChatCompletionChunk> chunks(
                Attempt attempt, Upstream upstream, boolean failover, Map<String, String> headers) {
            if (!Egress.leaves(attempt.target())) {
                return upstream.guard().stream(() -> upstream.client().stream(call.request(), headers), failover)
                        .map(chunk -> chunk.withModel(attempt.target().name()));
            }
            Masking masking = egress.maskFor(attempt.target());
            StreamUnmasker unmasker = masking.streamUnmasker();
            StreamedAnswer answer = new StreamedAnswer();
            return upstream.guard().stream(() -> upstream.client().stream(masking.request(), headers), failover)
                    .map(chunk -> {
                        answer.accept(chunk);
                        return unmasker.accept(chunk).withModel(attempt.target().name());
                    })
                    .doOnComplete(() -> recordLargeModelAnswer(attempt, masking, answer.message()));
        }

        /** @throws ApiException 503 when the model cannot be called (e.g. its API key is not set) */
        private Upstream upstream(Attempt attempt) {
            return call.policy()
                    .upstream(attempt.target())
                    .orElseThrow(() -> ApiException.of(
                            ErrorCode.UPSTREAM_NOT_CONFIGURED, call.policy().unavailableReason(attempt.target())));
        }

        /**
         * What is kept of an exchange a large model answered, as it was sent (masked): the exchange, when its domain
         * captures; the request, offered to the teacher, when its policy learns and the classifier escalated it.
         */
        private void recordLargeModelAnswer(Attempt attempt, Masking masking, ChatMessage answer) {
            JsonLinesWriter<CapturedExchange> capture = call.policy().capture();
            RoutingDecision decision = call.decision();
            boolean captured = capture != null
                    && call.policy()
                            .policy()
                            .domain(decision.route())
                            .map(Policy.Domain::capture)
                            .orElse(false);
            Labeller labeller = call.policy().labeller();
            if (labeller != null && Labeller.escalatedByClassifier(decision)) {
                labeller.offer(call.policy(), decision, masking.request());
            }
            if (captured && answer != null) {
                capture.offer(new CapturedExchange(
                        clock.instant(),
                        call.policy().policy().name(),
                        decision.route(),
                        decision.confidence(),
                        decision.reason().label(),
                        attempt.target().name(),
                        masking.request().messages(),
                        masking.request().tools(),
                        answer));
            }
        }

        /** The failures so far, if the plan goes on after this one. */
        private Optional<List<ApiException>> next(int index, List<ApiException> failures, ApiException failure) {
            if (index + 1 >= plan.size() || !isUnavailability(failure)) {
                return Optional.empty();
            }
            List<ApiException> more = new ArrayList<>(failures);
            more.add(failure);
            return Optional.of(more);
        }

        /**
         * What the caller gets when the plan ends: the failure itself when it was not about availability, or
         * when only one model was tried for a request that may leave; else 503 naming every model's failure
         * (and, for a local-only request, saying that no large model was tried), with the shortest wait any
         * upstream gave, or {@link #DEFAULT_RETRY_AFTER}.
         */
        private ApiException finalError(List<ApiException> earlier, ApiException last) {
            if (!isUnavailability(last) || (earlier.isEmpty() && skipped.isEmpty() && !egress.localOnly())) {
                return last;
            }
            List<ApiException> all = new ArrayList<>(earlier);
            all.add(last);
            Duration retryAfter = all.stream()
                    .map(ApiException::retryAfter)
                    .filter(Objects::nonNull)
                    .min(Comparator.naturalOrder())
                    .orElse(DEFAULT_RETRY_AFTER);
            List<String> reasons =
                    new ArrayList<>(all.stream().map(Throwable::getMessage).toList());
            reasons.addAll(skipped);
            String failures = String.join("; ", reasons);
            if (egress.localOnly()) {
                return ApiException.of(
                                ErrorCode.LOCAL_ONLY,
                                "This request must stay on local models (" + egress.localOnlyReason()
                                        + ") and no local model could answer: " + failures)
                        .withRetryAfter(retryAfter);
            }
            return ApiException.of(ErrorCode.NO_MODEL_AVAILABLE, "No model could answer: " + failures)
                    .withRetryAfter(retryAfter);
        }
    }

    private static boolean isUnavailability(ApiException failure) {
        return failure.status().is5xxServerError() || failure.status() == HttpStatus.TOO_MANY_REQUESTS;
    }

    private static ChatCompletion named(ChatCompletion completion, Attempt attempt) {
        return completion.withModel(attempt.target().name());
    }

    private static ChatMessage firstMessage(ChatCompletion completion) {
        return completion.choices().isEmpty()
                ? null
                : completion.choices().get(0).message();
    }
}
