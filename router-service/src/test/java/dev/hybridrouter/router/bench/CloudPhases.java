package dev.hybridrouter.router.bench;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Drives the fake cloud through the phases by request count: the request with index {@code i} is sent in
 * {@link #phaseOf(int)}, and the first request of a phase switches the cloud. Switching runs on a thread
 * of its own, never on the event loop that sends the request (stopping a server waits). At each switch
 * it reads the counters (calls each fake received, the router's retries), so they can be told per phase.
 */
final class CloudPhases implements AutoCloseable {

    private final FakeOpenAiServer cloud;
    private final Supplier<Map<String, Long>> counters;
    private final int warmup;
    private final int downFrom;
    private final int backFrom;
    private final double failureRate;
    private final long startNanos = System.nanoTime();
    private final ExecutorService switcher = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "soak-phase-switcher");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<Phase, Long> startedAtNanos = new EnumMap<>(Phase.class);
    private final Map<Phase, Map<String, Long>> countersAtStart = new EnumMap<>(Phase.class);
    private final AtomicInteger sent = new AtomicInteger();
    private Map<String, Long> countersAtEnd;
    private volatile Phase current = Phase.WARMUP;

    /**
     * @param cloud the fake to switch, started and healthy
     * @param counters reads every counter to be told per phase, by name
     * @param warmup requests sent before phase 1, not counted
     * @param requests the counted requests: 40% flapping, 30% down, 30% back
     * @param failureRate the share of calls the cloud fails in phase 1
     */
    CloudPhases(
            FakeOpenAiServer cloud,
            Supplier<Map<String, Long>> counters,
            int warmup,
            int requests,
            double failureRate) {
        this.cloud = cloud;
        this.counters = counters;
        this.warmup = warmup;
        this.downFrom = warmup + (int) Math.round(requests * 0.4);
        this.backFrom = warmup + (int) Math.round(requests * 0.7);
        this.failureRate = failureRate;
        startedAtNanos.put(Phase.WARMUP, startNanos);
        countersAtStart.put(Phase.WARMUP, counters.get());
    }

    Phase phaseOf(int index) {
        if (index < warmup) {
            return Phase.WARMUP;
        }
        if (index < downFrom) {
            return Phase.FLAPPING;
        }
        return index < backFrom ? Phase.DOWN : Phase.BACK;
    }

    /** Called as request {@code index} is sent: switches the cloud when it opens a new phase. */
    Phase enter(int index) {
        sent.incrementAndGet();
        Phase phase = phaseOf(index);
        if (phase != current) {
            synchronized (this) {
                if (phase.compareTo(current) > 0) {
                    current = phase;
                    startedAtNanos.put(phase, System.nanoTime());
                    countersAtStart.put(phase, counters.get());
                    switcher.execute(() -> apply(phase));
                }
            }
        }
        return phase;
    }

    /** The phase the most recently sent request belongs to. */
    Phase current() {
        return current;
    }

    int sent() {
        return sent.get();
    }

    /** Milliseconds since this object was made. */
    long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** When a phase's first request was sent, in milliseconds since this object was made; -1 if never. */
    synchronized long startedAtMillis(Phase phase) {
        Long at = startedAtNanos.get(phase);
        return at == null ? -1 : TimeUnit.NANOSECONDS.toMillis(at - startNanos);
    }

    /** Marks the end of the last phase: reads the counters one last time. */
    synchronized void end() {
        countersAtEnd = counters.get();
    }

    /** How much each counter grew from the phase's first request to the next phase's (or the end). */
    synchronized Map<String, Long> counted(Phase phase) {
        Map<String, Long> from = countersAtStart.get(phase);
        Map<String, Long> counted = new LinkedHashMap<>();
        if (from == null) {
            return counted;
        }
        Map<String, Long> to = countersAtEnd != null ? countersAtEnd : counters.get();
        for (Phase later : Phase.values()) {
            if (later.compareTo(phase) > 0 && countersAtStart.containsKey(later)) {
                to = countersAtStart.get(later);
                break;
            }
        }
        for (Map.Entry<String, Long> counter : to.entrySet()) {
            counted.put(counter.getKey(), counter.getValue() - from.getOrDefault(counter.getKey(), 0L));
        }
        return counted;
    }

    /** Waits until every switch asked for so far is done. */
    void awaitSwitches() throws Exception {
        switcher.submit(() -> {}).get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        switcher.shutdownNow();
    }

    private void apply(Phase phase) {
        switch (phase) {
            case WARMUP -> cloud.failureRate(0);
            case FLAPPING -> cloud.failureRate(failureRate);
            case DOWN -> cloud.stop();
            case BACK -> {
                cloud.failureRate(0);
                cloud.start();
            }
        }
    }
}
