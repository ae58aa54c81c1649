package dev.hybridrouter.router.upstream;

import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.upstream.UpstreamCalls.StreamEvent;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Tries the models of a plan in order until one answers. A model that is unavailable (5xx, 429,
 * timeout, unreachable, breaker open, not configured) passes the request to the next; a request the
 * upstream rejected as invalid does not fail over. A stream fails over only until its first event has
 * gone to the caller.
 */
public final class Failover {

    /** The wait suggested when every model failed and none said how long to wait. */
    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(10);

    private final List<Attempt> plan;
    private final Function<Attempt, Upstream> upstreams;
    private final ChatRequest request;
    private final Egress egress;

    /**
     * @param plan the models to try, in order; not empty
     * @param upstreams finds the model of an attempt, or throws an {@link ApiException} saying why it cannot
     * @param egress where the request's data may go
     */
    public Failover(List<Attempt> plan, Function<Attempt, Upstream> upstreams, ChatRequest request, Egress egress) {
        if (plan.isEmpty()) {
            throw new IllegalArgumentException("a failover plan needs at least one attempt");
        }
        this.plan = List.copyOf(plan);
        this.upstreams = upstreams;
        this.request = request;
        this.egress = egress;
    }

    /** A whole answer from the first model of the plan that gives one. */
    public Mono<Answer> complete() {
        return complete(0, List.of());
    }

    /**
     * The answer of the first model of the plan whose stream starts.
     *
     * @param onStart told which attempt answers, just before its first event goes downstream
     */
    public Flux<StreamEvent> stream(Consumer<Attempt> onStart) {
        return stream(0, List.of(), onStart);
    }

    /** A whole answer and the attempt that gave it. */
    public record Answer(Attempt attempt, ChatResponse response) {}

    private Mono<Answer> complete(int index, List<ApiException> failures) {
        Attempt attempt = plan.get(index);
        return Mono.defer(() -> UpstreamCalls.complete(upstreams.apply(attempt), request, egress))
                .map(response -> new Answer(attempt, response))
                .onErrorResume(ApiException.class, failure -> next(index, failures, failure)
                        .map(more -> complete(index + 1, more))
                        .orElseGet(() -> Mono.error(finalError(failures, failure))));
    }

    private Flux<StreamEvent> stream(int index, List<ApiException> failures, Consumer<Attempt> onStart) {
        Attempt attempt = plan.get(index);
        AtomicBoolean started = new AtomicBoolean();
        return Flux.defer(() -> UpstreamCalls.stream(upstreams.apply(attempt), request, egress))
                .doOnNext(event -> {
                    if (started.compareAndSet(false, true)) {
                        onStart.accept(attempt);
                    }
                })
                .onErrorResume(failure -> !started.get() && failure instanceof ApiException, failure -> next(
                                index, failures, (ApiException) failure)
                        .map(more -> stream(index + 1, more, onStart))
                        .orElseGet(() -> Flux.error(finalError(failures, (ApiException) failure))));
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

    private static boolean isUnavailability(ApiException failure) {
        return failure.status().is5xxServerError() || failure.status() == HttpStatus.TOO_MANY_REQUESTS;
    }

    /**
     * What the caller gets when the plan ends: the failure itself when it was not about availability, or
     * when only one model was tried for a request that may leave; else 503 naming every model's failure
     * (and, for a local-only request, saying that no large model was tried), with the shortest wait any
     * upstream gave, or {@link #DEFAULT_RETRY_AFTER}.
     */
    private ApiException finalError(List<ApiException> earlier, ApiException last) {
        if (!isUnavailability(last) || (earlier.isEmpty() && !egress.localOnly())) {
            return last;
        }
        List<ApiException> all = new ArrayList<>(earlier);
        all.add(last);
        Duration retryAfter = all.stream()
                .map(ApiException::retryAfter)
                .filter(Objects::nonNull)
                .min(Comparator.naturalOrder())
                .orElse(DEFAULT_RETRY_AFTER);
        String failures = all.stream().map(Throwable::getMessage).collect(Collectors.joining("; "));
        if (egress.localOnly()) {
            return new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "server_error",
                    "local_only",
                    null,
                    "This request must stay on local models (" + egress.localOnlyReason()
                            + ") and no local model could answer: " + failures,
                    retryAfter,
                    last);
        }
        return new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE,
                "server_error",
                "no_model_available",
                null,
                "No model could answer: " + failures,
                retryAfter,
                last);
    }
}
