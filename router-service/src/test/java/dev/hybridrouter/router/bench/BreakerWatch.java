package dev.hybridrouter.router.bench;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Listens to the router's circuit breakers, straight from its {@code UpstreamResilience}: every state
 * change with the time and phase it happened in, and the calls each breaker recorded or refused, per
 * phase.
 */
final class BreakerWatch {

    /** What a breaker did with one call. */
    enum Call {
        SUCCEEDED,
        FAILED,
        IGNORED,
        NOT_PERMITTED
    }

    /** One state change. */
    record Transition(long atMillis, Phase phase, int sent, String breaker, CircuitBreaker.StateTransition change) {}

    private final CloudPhases phases;
    private final List<Transition> transitions = new ArrayList<>();
    private final Map<String, Map<Phase, Map<Call, LongAdder>>> calls = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> failureCauses = new ConcurrentHashMap<>();

    BreakerWatch(CloudPhases phases) {
        this.phases = phases;
    }

    /** Watches every breaker the registry has now, and any it makes later (a policy reload may). */
    void watch(CircuitBreakerRegistry registry) {
        registry.getAllCircuitBreakers().forEach(this::watch);
        registry.getEventPublisher().onEntryAdded(event -> watch(event.getAddedEntry()));
    }

    synchronized List<Transition> transitions() {
        return List.copyOf(transitions);
    }

    /** Calls per breaker, by name, in one phase. */
    Map<String, Map<Call, Long>> calls(Phase phase) {
        Map<String, Map<Call, Long>> counts = new TreeMap<>();
        calls.forEach((breaker, byPhase) -> {
            Map<Call, Long> perCall = new EnumMap<>(Call.class);
            byPhase.get(phase).forEach((call, count) -> perCall.put(call, count.sum()));
            counts.put(breaker, perCall);
        });
        return counts;
    }

    private void watch(CircuitBreaker breaker) {
        String name = breaker.getName();
        Map<Phase, Map<Call, LongAdder>> byPhase = new EnumMap<>(Phase.class);
        for (Phase phase : Phase.values()) {
            Map<Call, LongAdder> perCall = new EnumMap<>(Call.class);
            for (Call call : Call.values()) {
                perCall.put(call, new LongAdder());
            }
            byPhase.put(phase, perCall);
        }
        calls.put(name, byPhase);
        breaker.getEventPublisher()
                .onStateTransition(event -> {
                    synchronized (this) {
                        transitions.add(new Transition(
                                phases.elapsedMillis(),
                                phases.current(),
                                phases.sent(),
                                name,
                                event.getStateTransition()));
                    }
                })
                .onSuccess(event -> count(byPhase, Call.SUCCEEDED))
                .onError(event -> {
                    count(byPhase, Call.FAILED);
                    failureCauses
                            .computeIfAbsent(
                                    name + ", phase " + phases.current().title() + ": " + cause(event.getThrowable()),
                                    key -> new LongAdder())
                            .increment();
                })
                .onIgnoredError(event -> count(byPhase, Call.IGNORED))
                .onCallNotPermitted(event -> count(byPhase, Call.NOT_PERMITTED));
    }

    /** Failures the breakers recorded, by breaker, phase and cause, e.g. {@code ConnectException}. */
    Map<String, Long> failureCauses() {
        Map<String, Long> causes = new TreeMap<>();
        failureCauses.forEach((key, count) -> causes.put(key, count.sum()));
        return causes;
    }

    /**
     * The failure's cause chain as class names, outermost first, then the innermost message with numbers
     * left out: {@code ConnectException < ClosedChannelException}.
     */
    private static String cause(Throwable failure) {
        List<String> chain = new ArrayList<>();
        Throwable root = failure;
        for (Throwable t = failure; t != null && chain.size() < 4; t = t.getCause() == t ? null : t.getCause()) {
            String name = t.getClass().getSimpleName();
            if (chain.isEmpty() || !chain.get(chain.size() - 1).equals(name)) {
                chain.add(name);
            }
            root = t;
        }
        String message = root.getMessage() == null ? "" : root.getMessage().replaceAll("\\d+", "N");
        if (message.length() > 50) {
            message = message.substring(0, 50) + "…";
        }
        return String.join(" < ", chain) + (message.isBlank() ? "" : " (" + message.trim() + ")");
    }

    private void count(Map<Phase, Map<Call, LongAdder>> byPhase, Call call) {
        byPhase.get(phases.current()).get(call).increment();
    }
}
