package dev.hybridrouter.router.execution;

import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.routing.Attempt;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.observation.transport.SenderContext;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * What each attempt of a plan shows of itself. Every attempt is the observation {@value #UPSTREAM}: a
 * span, child of the request's, and the timer {@code router_upstream_seconds} by {@code target}, {@code
 * outcome} ({@code ok}, {@code cancelled} or the error's code) and {@code stream}. Its call carries the
 * request's id and the span's W3C trace context as headers. A stream's attempt also records the timer
 * {@value #FIRST_TOKEN} (by {@code target}): from the attempt's start to its first chunk. Tag values are
 * model names from the policy and fixed words; prompts never reach a span or a tag.
 */
@Component
class UpstreamObservations {

    static final String UPSTREAM = "router.upstream";
    static final String FIRST_TOKEN = "router.upstream.first.token";

    /** The header that names the request upstream, as it names the request to its caller. */
    static final String REQUEST_ID = "x-request-id";

    private final ObservationRegistry observations;
    private final MeterRegistry meters;
    /** The first-token timers by target, so that a stream looks its timer up instead of building its id. */
    private final Map<String, Timer> firstTokens = new ConcurrentHashMap<>();

    UpstreamObservations(ObservationRegistry observations, MeterRegistry meters) {
        this.observations = observations;
        this.meters = meters;
    }

    /**
     * A whole answer's attempt, observed from its subscription to its end.
     *
     * @param call the attempt, given the headers to send with it
     */
    <T> Mono<T> whole(Attempt attempt, String requestId, Function<Map<String, String>, Mono<T>> call) {
        return Mono.deferContextual(context -> {
            Observed observed = start(attempt, false, requestId, context);
            return Mono.defer(() -> call.apply(observed.headers))
                    .doOnSuccess(answer -> observed.stop("ok", null))
                    .doOnError(failure -> observed.stop(outcome(failure), failure))
                    .doOnCancel(() -> observed.stop("cancelled", null));
        });
    }

    /**
     * A stream's attempt, observed from its subscription to its end, its first chunk timed.
     *
     * @param call the attempt, given the headers to send with it
     */
    <T> Flux<T> stream(Attempt attempt, String requestId, Function<Map<String, String>, Flux<T>> call) {
        return Flux.deferContextual(context -> {
            Observed observed = start(attempt, true, requestId, context);
            return Flux.defer(() -> call.apply(observed.headers))
                    .doOnNext(chunk -> observed.chunk())
                    .doOnComplete(() -> observed.stop("ok", null))
                    .doOnError(failure -> observed.stop(outcome(failure), failure))
                    .doOnCancel(() -> observed.stop("cancelled", null));
        });
    }

    /** @param context the request's Reactor context, which holds the request's observation: the parent */
    private Observed start(Attempt attempt, boolean stream, String requestId, ContextView context) {
        String target = attempt.target().toString();
        Map<String, String> headers = new HashMap<>(4);
        headers.put(REQUEST_ID, requestId);
        SenderContext<Map<String, String>> sender = new SenderContext<>(Map::put);
        sender.setCarrier(headers);
        Observation observation = Observation.createNotStarted(UPSTREAM, () -> sender, observations)
                .parentObservation(context.getOrDefault(ObservationThreadLocalAccessor.KEY, null))
                .lowCardinalityKeyValue("target", target)
                .lowCardinalityKeyValue("stream", Boolean.toString(stream))
                .start();
        return new Observed(observation, headers, target);
    }

    private Timer firstToken(String target) {
        return firstTokens.computeIfAbsent(target, name -> Timer.builder(FIRST_TOKEN)
                .description("Time from the start of a streamed upstream attempt to its first chunk")
                .tag("target", name)
                .register(meters));
    }

    private static String outcome(Throwable failure) {
        return failure instanceof ApiException api ? api.code().outcome() : "internal";
    }

    /** One attempt under observation; stopped once, by whichever end comes first. */
    private final class Observed {

        private final Observation observation;
        private final Map<String, String> headers;
        private final String target;
        private final long startNanos = System.nanoTime();
        /** Chunks come one at a time (Reactor's signals are serial); a cancel may race with them. */
        private boolean chunked;

        private final AtomicBoolean stopped = new AtomicBoolean();

        Observed(Observation observation, Map<String, String> headers, String target) {
            this.observation = observation;
            this.headers = headers;
            this.target = target;
        }

        void chunk() {
            if (!chunked) {
                chunked = true;
                firstToken(target).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
            }
        }

        void stop(String outcome, Throwable failure) {
            if (!stopped.compareAndSet(false, true)) {
                return;
            }
            observation.lowCardinalityKeyValue("outcome", outcome);
            if (failure != null) {
                observation.error(failure);
            }
            observation.stop();
        }
    }
}
