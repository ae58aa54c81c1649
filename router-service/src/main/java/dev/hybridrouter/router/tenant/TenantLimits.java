package dev.hybridrouter.router.tenant;

import dev.hybridrouter.policies.Tenants;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Each tenant's {@code rate-limit}, held in this process: a token bucket for requests per second (Bucket4j: a burst
 * of one second's worth, refilled evenly) and a count of requests being answered. A tenant whose limits change gets
 * fresh ones; requests in flight then finish against the old count.
 */
final class TenantLimits {

    /** What a caller waits before retrying when it has too many requests in flight: one is likely done by then. */
    static final Duration CONCURRENCY_RETRY_AFTER = Duration.ofSeconds(1);

    private final Map<String, Limiter> limiters = new ConcurrentHashMap<>();
    private final TimeMeter time;

    TenantLimits(Clock clock) {
        this.time = new ClockTime(clock);
    }

    /** A request admitted under a tenant's limits; release it when its answer has ended. */
    interface Permit {
        Permit NONE = () -> {};

        void release();
    }

    /**
     * Admits one request of this tenant.
     *
     * @throws ApiException 429 naming the limit, with how long to wait, when the request is over one
     */
    Permit admit(Tenants.Tenant tenant) {
        Tenants.RateLimit limit = tenant.rateLimit();
        if (limit == null) {
            return Permit.NONE;
        }
        Limiter limiter = limiters.compute(
                tenant.name(),
                (name, current) -> current != null && current.limit.equals(limit) ? current : limiter(limit));
        return limiter.admit(tenant.name());
    }

    /** Forgets the limits of tenants no longer in the file. */
    void retain(java.util.Set<String> tenants) {
        limiters.keySet().retainAll(tenants);
    }

    private Limiter limiter(Tenants.RateLimit limit) {
        Bucket bucket = null;
        if (limit.requestsPerSecond() != null) {
            double perSecond = limit.requestsPerSecond();
            long capacity = Math.max(1, (long) Math.ceil(perSecond));
            Duration period = Duration.ofNanos(Math.round(capacity / perSecond * 1e9));
            bucket = Bucket.builder()
                    .addLimit(bandwidth -> bandwidth.capacity(capacity).refillGreedy(capacity, period))
                    .withCustomTimePrecision(time)
                    .build();
        }
        return new Limiter(limit, bucket, new AtomicInteger());
    }

    private record Limiter(Tenants.RateLimit limit, Bucket bucket, AtomicInteger inFlight) {

        Permit admit(String tenant) {
            Integer most = limit.maxConcurrent();
            if (most != null && inFlight.incrementAndGet() > most) {
                inFlight.decrementAndGet();
                throw ApiException.of(
                                ErrorCode.CONCURRENT_REQUESTS_EXCEEDED,
                                "Tenant '" + tenant + "' has " + most + " requests being answered already, its"
                                        + " rate-limit.max-concurrent; retry when one has ended")
                        .withRetryAfter(CONCURRENCY_RETRY_AFTER);
            }
            if (bucket != null) {
                ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
                if (!probe.isConsumed()) {
                    if (most != null) {
                        inFlight.decrementAndGet();
                    }
                    Duration wait = Duration.ofNanos(probe.getNanosToWaitForRefill());
                    throw ApiException.of(
                                    ErrorCode.REQUESTS_PER_SECOND_EXCEEDED,
                                    String.format(
                                            Locale.ROOT,
                                            "Tenant '%s' is over its rate-limit.requests-per-second of %s; retry in"
                                                    + " %d ms",
                                            tenant,
                                            limit.requestsPerSecond(),
                                            wait.toMillis()))
                            .withRetryAfter(wait);
                }
            }
            if (most == null) {
                return Permit.NONE;
            }
            AtomicInteger count = inFlight;
            java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
            return () -> {
                if (released.compareAndSet(false, true)) {
                    count.decrementAndGet();
                }
            };
        }
    }

    /** Bucket4j's time from the service's clock, so that tests can move it. */
    private record ClockTime(Clock clock) implements TimeMeter {
        @Override
        public long currentTimeNanos() {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }

        @Override
        public boolean isWallClockBased() {
            return true;
        }
    }
}
