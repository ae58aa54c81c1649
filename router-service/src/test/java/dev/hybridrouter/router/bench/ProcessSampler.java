package dev.hybridrouter.router.bench;

/**
 * Reads one process's {@code /proc} figures every 200 ms (or a period of the caller's) on a daemon thread
 * while a point runs, and keeps the most resident memory and threads seen. CPU time is read at the start and
 * at the end.
 */
final class ProcessSampler implements AutoCloseable {

    private static final long PERIOD_MILLIS = 200;

    private final long pid;
    private final long periodMillis;
    private final ProcStats.Process first;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long maxRssKib;
    private volatile int maxThreads;
    private ProcStats.Process last;

    private ProcessSampler(long pid, long periodMillis) {
        this.pid = pid;
        this.periodMillis = periodMillis;
        this.first = ProcStats.process(pid);
        this.maxRssKib = first.rssKib();
        this.maxThreads = first.threads();
        this.thread = new Thread(this::sample, "pathbench-sampler");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    static ProcessSampler start(long pid) {
        return new ProcessSampler(pid, PERIOD_MILLIS);
    }

    /** Samples every {@code periodMillis}: short bursts need more than one reading in 200 ms. */
    static ProcessSampler start(long pid, long periodMillis) {
        return new ProcessSampler(pid, periodMillis);
    }

    private void sample() {
        while (running) {
            record(ProcStats.process(pid));
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void record(ProcStats.Process now) {
        if (now.rssKib() > maxRssKib) {
            maxRssKib = now.rssKib();
        }
        if (now.threads() > maxThreads) {
            maxThreads = now.threads();
        }
    }

    /** Stops sampling and takes the last reading. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        last = ProcStats.process(pid);
        record(last);
    }

    /** Clock ticks of CPU (user and system) the process used between start and close. */
    long cpuTicks() {
        return last.cpuTicks() - first.cpuTicks();
    }

    /** Of {@link #cpuTicks()}, the system (kernel) part. */
    long systemTicks() {
        return last.systemTicks() - first.systemTicks();
    }

    long maxRssKib() {
        return maxRssKib;
    }

    /** The process's own peak ({@code VmHWM}) at close: the most since it started. */
    long peakRssKib() {
        return last.peakRssKib();
    }

    int maxThreads() {
        return maxThreads;
    }
}
