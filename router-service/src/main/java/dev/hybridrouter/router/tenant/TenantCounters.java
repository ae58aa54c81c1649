package dev.hybridrouter.router.tenant;

import io.github.bucket4j.BucketConfiguration;
import java.time.LocalDate;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * Where tenants' limits and budgets are counted: in this process ({@link LocalCounters}), or in Redis, shared by
 * every replica ({@link RedisCounters}). Every operation is asynchronous, since the request thread must not wait
 * for a network call.
 */
interface TenantCounters {

    /** Takes one token of the tenant's request bucket: 0 when taken, else the nanoseconds until one is there. */
    Mono<Long> takeRequestToken(String tenant, BucketConfiguration bucket);

    /**
     * Takes one of the tenant's {@code most} slots for requests in flight.
     *
     * @return the slot to give back when the answer has ended, or empty when all are taken
     */
    Mono<TenantLimits.Permit> takeSlot(String tenant, int most);

    /** Tokens the tenant spent on that day: on all models, and on large models. */
    Mono<Spent> spent(String tenant, LocalDate day);

    /** Adds tokens to the tenant's day; fire and forget. */
    void spend(String tenant, LocalDate day, long tokens, boolean largeModel);

    /** Forgets what this process holds for tenants no longer in the file. */
    void retain(Set<String> tenants);

    /** Where the counts are held, for health: {@code process}, or the Redis address without credentials. */
    String where();

    /** @param all tokens on every model @param large tokens on large models */
    record Spent(long all, long large) {
        static final Spent NONE = new Spent(0, 0);
    }
}
