package dev.hybridrouter.router.bench;

import java.lang.management.ManagementFactory;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import reactor.core.Scannable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Samples, a few times a second, what limits the router on a small machine: CPU (this JVM's and the
 * whole machine's) and Reactor's bounded elastic scheduler, on which the router runs every blocking
 * upstream call (its threads, and the tasks queued waiting for one).
 */
final class RuntimeSampler implements AutoCloseable {

    private static final int THREAD_CAP = 10 * Runtime.getRuntime().availableProcessors();

    private final CloudPhases phases;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "soak-sampler");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<Phase, Samples> samples = new EnumMap<>(Phase.class);
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private RuntimeSampler(CloudPhases phases) {
        this.phases = phases;
        for (Phase phase : Phase.values()) {
            samples.put(phase, new Samples());
        }
    }

    /** Samples every {@code everyMillis} until closed. */
    static RuntimeSampler start(CloudPhases phases, long everyMillis) {
        RuntimeSampler sampler = new RuntimeSampler(phases);
        sampler.timer.scheduleAtFixedRate(sampler::sample, everyMillis, everyMillis, TimeUnit.MILLISECONDS);
        return sampler;
    }

    /** Figures for the phases given together, as report rows. */
    synchronized Map<String, String> figures(Phase... over) {
        Samples all = new Samples();
        for (Phase phase : over) {
            all.add(samples.get(phase));
        }
        return all.figures();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    private void sample() {
        double process = os.getProcessCpuLoad();
        double system = os.getCpuLoad();
        int threads = 0;
        int queued = 0;
        Scheduler elastic = Schedulers.boundedElastic();
        if (elastic instanceof Supplier<?> cached && cached.get() instanceof Scheduler underlying) {
            elastic = underlying;
        }
        for (Scannable worker : Scannable.from(elastic).inners().toList()) {
            threads++;
            Integer buffered = worker.scan(Scannable.Attr.BUFFERED);
            queued += buffered == null ? 0 : buffered;
        }
        synchronized (this) {
            samples.get(phases.current()).add(process, system, threads, queued);
        }
    }

    private static final class Samples {
        private int count;
        private double process;
        private double system;
        private int maxThreads;
        private long queued;
        private int maxQueued;

        void add(double processLoad, double systemLoad, int threads, int queuedTasks) {
            count++;
            process += Math.max(0, processLoad);
            system += Math.max(0, systemLoad);
            maxThreads = Math.max(maxThreads, threads);
            queued += queuedTasks;
            maxQueued = Math.max(maxQueued, queuedTasks);
        }

        void add(Samples other) {
            count += other.count;
            process += other.process;
            system += other.system;
            maxThreads = Math.max(maxThreads, other.maxThreads);
            queued += other.queued;
            maxQueued = Math.max(maxQueued, other.maxQueued);
        }

        Map<String, String> figures() {
            if (count == 0) {
                return Map.of();
            }
            Map<String, String> figures = new LinkedHashMap<>();
            figures.put(
                    "CPU busy, mean: this JVM / whole machine",
                    String.format(Locale.ROOT, "%.0f%% / %.0f%%", 100 * process / count, 100 * system / count));
            figures.put("bounded-elastic threads, most (cap " + THREAD_CAP + ")", Integer.toString(maxThreads));
            figures.put(
                    "bounded-elastic tasks queued, mean / most",
                    String.format(Locale.ROOT, "%.0f / %d", (double) queued / count, maxQueued));
            return figures;
        }
    }
}
