package dev.hybridrouter.router.tenant;

import dev.hybridrouter.policies.Tenants;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import io.github.bucket4j.BucketConfiguration;
import java.time.Duration;
import java.util.Locale;
import reactor.core.publisher.Mono;

/**
 * Each tenant's {@code rate-limit}: a token bucket for requests per second (Bucket4j: a burst of one second's
 * worth, refilled evenly) and a count of requests being answered, counted where {@link TenantCounters} holds them.
 */
final class TenantLimits {

    /** What a caller waits before retrying when it has too many requests in flight: one is likely done by then. */
    static final Duration CONCURRENCY_RETRY_AFTER = Duration.ofSeconds(1);

    private final TenantCounters counts;

    TenantLimits(TenantCounters counts) {
        this.counts = counts;
    }

    /** A request admitted under a tenant's limits; release it when its answer has ended. */
    interface Permit {
        Permit NONE = () -> {};

        void release();
    }

    /**
     * Admits one request of this tenant: the permit, or an {@link ApiException} 429 naming the limit, with how long
     * to wait, when the request is over one.
     */
    Mono<Permit> admit(Tenants.Tenant tenant) {
        Tenants.RateLimit limit = tenant.rateLimit();
        if (limit == null) {
            return Mono.just(Permit.NONE);
        }
        Mono<Permit> slot = limit.maxConcurrent() == null
                ? Mono.just(Permit.NONE)
                : counts.takeSlot(tenant.name(), limit.maxConcurrent()).switchIfEmpty(Mono.error(() -> ApiException.of(
                                ErrorCode.CONCURRENT_REQUESTS_EXCEEDED,
                                "Tenant '" + tenant.name() + "' has " + limit.maxConcurrent()
                                        + " requests being answered already, its rate-limit.max-concurrent;"
                                        + " retry when one has ended")
                        .withRetryAfter(CONCURRENCY_RETRY_AFTER)));
        if (limit.requestsPerSecond() == null) {
            return slot;
        }
        return slot.flatMap(permit -> counts.takeRequestToken(tenant.name(), bucket(limit.requestsPerSecond()))
                .flatMap(wait -> {
                    if (wait == 0) {
                        return Mono.just(permit);
                    }
                    permit.release(); // a request refused for its rate holds no slot
                    return Mono.error(ApiException.of(
                                    ErrorCode.REQUESTS_PER_SECOND_EXCEEDED,
                                    String.format(
                                            Locale.ROOT,
                                            "Tenant '%s' is over its rate-limit.requests-per-second of %s; retry in"
                                                    + " %d ms",
                                            tenant.name(),
                                            limit.requestsPerSecond(),
                                            Duration.ofNanos(wait).toMillis()))
                            .withRetryAfter(Duration.ofNanos(wait)));
                }));
    }

    /** A burst of one second's worth, at least one request, refilled evenly. */
    static BucketConfiguration bucket(double perSecond) {
        long capacity = Math.max(1, (long) Math.ceil(perSecond));
        Duration period = Duration.ofNanos(Math.round(capacity / perSecond * 1e9));
        return BucketConfiguration.builder()
                .addLimit(bandwidth -> bandwidth.capacity(capacity).refillGreedy(capacity, period))
                .build();
    }
}
