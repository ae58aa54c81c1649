package dev.hybridrouter.router.execution;

import dev.hybridrouter.gateway.wire.ChatCompletion;
import dev.hybridrouter.gateway.wire.ChatCompletionChunk;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.gateway.wire.Usage;
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
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
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
 * A cascade's attempt (the domain's specialist tried before the large models, {@link Attempt#cascade()}) is asked
 * for its token log-probabilities; its whole answer, or a stream's held-back prefix, is scored ({@link
 * AnswerScore}) and kept when it reaches the domain's {@code min-score}; else, and when it fails, the plan goes on
 * with the large models, and nothing of the specialist's answer reaches the caller. The call's listener is told
 * the verdict before anything is sent.
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
     * @param onCascade told what the cascade made of the specialist's answer, before anything is sent
     */
    public record Call(
            ChatCompletionRequest request,
            RoutingDecision decision,
            ActivePolicy policy,
            String requestId,
            Consumer<Cascaded> onCascade) {

        /** A call whose cascade, if any, tells no one. */
        public Call(ChatCompletionRequest request, RoutingDecision decision, ActivePolicy policy, String requestId) {
            this(request, decision, policy, requestId, cascaded -> {});
        }
    }

    /**
     * What the cascade made of its try of the domain's specialist.
     *
     * @param attempt the cascade's attempt
     * @param score the answer's (or a stream's prefix's) {@link AnswerScore}, or {@code null} when it had none or the
     *     call failed
     * @param rejectedUsage the tokens of an answer that was not kept, or {@code null}: for a cut stream, its prefix's
     *     completion tokens only, as its usage never came
     */
    public record Cascaded(Attempt attempt, CascadeOutcome outcome, Double score, Usage rejectedUsage) {

        /** {@code cascade-accepted} or {@code cascade-escalated}, as the {@code x-router-reason} header says. */
        public String reason() {
            return outcome == CascadeOutcome.ACCEPTED ? "cascade-accepted" : "cascade-escalated";
        }
    }

    /** What became of the specialist's answer in a cascade. */
    public enum CascadeOutcome {
        /** Its score reached the domain's {@code min-score}: it is the answer. */
        ACCEPTED,
        /** Its score was under {@code min-score}: the large model answers instead. */
        ESCALATED,
        /** It had no token log-probabilities to score: the large model answers instead. */
        UNSCORABLE,
        /** The specialist failed: the large model answers instead. */
        FAILED;

        /** The outcome as metrics and the decision log name it, e.g. {@code unscorable}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

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
        /** The index in {@link #plan} of the decision's own model: after it, attempts fail over. */
        private int own;

        /**
         * @throws ApiException 400 when the decision's own model cannot honour a field of the request; later
         *     attempts that cannot are left out of the plan, and named if every other attempt fails
         */
        Run(Call call) {
            this.call = call;
            this.egress = new Egress(
                    call.decision().localOnlyReason(), call.policy().router().pii(), call.request());
            List<Attempt> planned = call.decision().plan();
            int decided = call.decision().cascades() ? 1 : 0;
            for (int i = 0; i < planned.size(); i++) {
                Attempt attempt = planned.get(i);
                ChatCompletionRequest request =
                        attempt.cascade() ? call.request().withLogprobs() : call.request();
                List<String> unsupported = call.policy()
                        .upstream(attempt.target())
                        .map(upstream -> upstream.client().unsupported(request))
                        .orElse(List.of());
                if (i == decided) {
                    own = plan.size();
                }
                if (unsupported.isEmpty()) {
                    plan.add(attempt);
                } else if (attempt.cascade()) {
                    continue; // the request escalates as it would without a cascade
                } else if (i == decided) {
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
            if (attempt.cascade()) {
                return cascade(index, failures);
            }
            return observations
                    .whole(attempt, call.requestId(), headers -> {
                        Upstream upstream = upstream(attempt);
                        boolean failover = index > own;
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

        /**
         * The cascade's whole answer: the specialist's, asked for its token log-probabilities, kept when its score
         * reaches the domain's {@code min-score}; else, or when the specialist fails, the rest of the plan's.
         */
        private Mono<Answer> cascade(int index, List<ApiException> failures) {
            Attempt attempt = plan.get(index);
            ChatCompletionRequest asked = call.request().withLogprobs();
            return observations
                    .whole(attempt, call.requestId(), headers -> {
                        Upstream upstream = upstream(attempt);
                        return upstream.guard()
                                .complete(() -> upstream.client().complete(asked, headers), false)
                                .onErrorMap(failure -> UpstreamFailures.toApiException(failure, upstream));
                    })
                    .map(answer -> judged(attempt, AnswerScore.of(answer), answer.usage(), answer))
                    .onErrorResume(ApiException.class, failure -> Mono.just(failed(attempt, failure)))
                    .flatMap(judged -> judged.accepted()
                            ? Mono.just(new Answer(attempt, named(visible(judged.answer()), attempt)))
                            : complete(index + 1, judged.failures(failures)));
        }

        /**
         * The cascade's stream: the specialist's first {@code prefix-tokens} tokens are held back and scored; when
         * the score reaches {@code min-score} they go on, and the rest as it comes; else the specialist's stream is
         * cancelled, and the rest of the plan streams instead. Nothing of a rejected stream reaches the caller.
         */
        private Flux<StreamEvent> cascadeStream(int index, List<ApiException> failures, Consumer<Attempt> onStart) {
            Attempt attempt = plan.get(index);
            ChatCompletionRequest asked = call.request().withLogprobs();
            StreamPrefix prefix = new StreamPrefix(cascadeOf(attempt).prefixTokens());
            AtomicBoolean started = new AtomicBoolean();
            AtomicBoolean judgedYet = new AtomicBoolean();
            Flux<ChatCompletionChunk> chunks = observations.stream(attempt, call.requestId(), headers -> {
                Upstream upstream = upstream(attempt);
                return upstream.guard().stream(() -> upstream.client().stream(asked, headers), false)
                        .onErrorMap(failure -> UpstreamFailures.toApiException(failure, upstream));
            });
            return chunks.bufferUntil(prefix::accept)
                    .concatWith(Flux.defer(() -> judgedYet.get() ? Flux.empty() : Flux.just(List.of())))
                    .concatMapIterable(held -> {
                        if (judgedYet.compareAndSet(false, true)) {
                            Judged judged = judged(attempt, prefix.score(), Usage.of(0, prefix.tokensSeen()), null);
                            if (!judged.accepted()) {
                                throw new Rejected(judged);
                            }
                        }
                        return held;
                    })
                    .map(chunk -> visible(chunk).withModel(attempt.target().name()))
                    .doOnNext(chunk -> {
                        if (started.compareAndSet(false, true)) {
                            onStart.accept(attempt);
                        }
                    })
                    .map(chunk -> (StreamEvent) new StreamEvent.Chunk(chunk))
                    .onErrorResume(failure -> {
                        if (started.get()) {
                            return failure instanceof ApiException api
                                    ? Flux.just(new StreamEvent.Failed(api))
                                    : Flux.error(failure);
                        }
                        if (failure instanceof Rejected rejected) {
                            return stream(index + 1, rejected.judged().failures(failures), onStart);
                        }
                        if (failure instanceof ApiException api) {
                            return stream(index + 1, failed(attempt, api).failures(failures), onStart);
                        }
                        return Flux.error(failure);
                    });
        }

        /**
         * The cascade's verdict on an answer (or a stream's prefix), told to the call's listener.
         *
         * @param usage the tokens the specialist spent on it, counted when it is not kept
         */
        private Judged judged(Attempt attempt, OptionalDouble score, Usage usage, ChatCompletion answer) {
            Policy.Cascade cascade = cascadeOf(attempt);
            CascadeOutcome outcome = score.isEmpty()
                    ? CascadeOutcome.UNSCORABLE
                    : score.getAsDouble() >= cascade.minScore() ? CascadeOutcome.ACCEPTED : CascadeOutcome.ESCALATED;
            Double value = score.isPresent() ? score.getAsDouble() : null;
            call.onCascade()
                    .accept(new Cascaded(attempt, outcome, value, outcome == CascadeOutcome.ACCEPTED ? null : usage));
            return new Judged(outcome, answer, null);
        }

        private Judged failed(Attempt attempt, ApiException failure) {
            call.onCascade().accept(new Cascaded(attempt, CascadeOutcome.FAILED, null, null));
            return new Judged(CascadeOutcome.FAILED, null, failure);
        }

        private Policy.Cascade cascadeOf(Attempt attempt) {
            return call.policy()
                    .policy()
                    .domain(call.decision().route())
                    .map(Policy.Domain::cascade)
                    .orElseThrow(() -> new IllegalStateException("cascade attempt " + attempt + " without a cascade"));
        }

        /** The answer as the caller sees it: without the token log-probabilities the router asked for itself. */
        private ChatCompletion visible(ChatCompletion answer) {
            return call.request().asksForLogprobs()
                    ? answer
                    : answer.withChoices(answer.choices().stream()
                            .map(ChatCompletion.Choice::withoutLogprobs)
                            .toList());
        }

        private ChatCompletionChunk visible(ChatCompletionChunk chunk) {
            return call.request().asksForLogprobs()
                    ? chunk
                    : chunk.withChoices(chunk.choices().stream()
                            .map(ChatCompletionChunk.Choice::withoutLogprobs)
                            .toList());
        }

        Flux<StreamEvent> stream(int index, List<ApiException> failures, Consumer<Attempt> onStart) {
            Attempt attempt = plan.get(index);
            if (attempt.cascade()) {
                return cascadeStream(index, failures, onStart);
            }
            AtomicBoolean started = new AtomicBoolean();
            return observations.stream(attempt, call.requestId(), headers -> {
                        Upstream upstream = upstream(attempt);
                        return chunks(attempt, upstream, index > own, headers)
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

    /**
     * The cascade's verdict.
     *
     * @param answer the specialist's whole answer, when there is one
     * @param failure why the specialist could not answer, when it failed
     */
    private record Judged(CascadeOutcome outcome, ChatCompletion answer, ApiException failure) {

        boolean accepted() {
            return outcome == CascadeOutcome.ACCEPTED;
        }

        /** The failures the rest of the plan starts with: the specialist's among them, when it failed. */
        List<ApiException> failures(List<ApiException> earlier) {
            if (failure == null) {
                return earlier;
            }
            List<ApiException> more = new ArrayList<>(earlier);
            more.add(failure);
            return more;
        }
    }

    /** Ends a cascade's specialist stream whose prefix was not kept; never reaches the caller. */
    private static final class Rejected extends RuntimeException {

        private final Judged judged;

        Rejected(Judged judged) {
            super(null, null, false, false);
            this.judged = judged;
        }

        Judged judged() {
            return judged;
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
