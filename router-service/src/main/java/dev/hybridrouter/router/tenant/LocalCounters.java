package dev.hybridrouter.router.tenant;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.LocalDate;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;

/** Tenants' counts in this process: each replica counts its own requests. */
final class LocalCounters implements TenantCounters {

    private final TimeMeter time;
    private final Map<String, Limited> buckets = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Day> days = new ConcurrentHashMap<>();

    LocalCounters(TimeMeter time) {
        this.time = time;
    }

    @Override
    public Mono<Long> takeRequestToken(String tenant, BucketConfiguration configuration) {
        Limited limited = buckets.compute(
                tenant,
                (name, current) -> current != null && current.configuration.equals(configuration)
                        ? current
                        : new Limited(
                                configuration,
                                Bucket.builder()
                                        .withCustomTimePrecision(time)
                                        .addLimit(configuration.getBandwidths()[0])
                                        .build()));
        ConsumptionProbe probe = limited.bucket.tryConsumeAndReturnRemaining(1);
        return Mono.just(probe.isConsumed() ? 0L : probe.getNanosToWaitForRefill());
    }

    @Override
    public Mono<TenantLimits.Permit> takeSlot(String tenant, int most) {
        AtomicInteger count = inFlight.computeIfAbsent(tenant, name -> new AtomicInteger());
        if (count.incrementAndGet() > most) {
            count.decrementAndGet();
            return Mono.empty();
        }
        AtomicBoolean released = new AtomicBoolean();
        return Mono.just(() -> {
            if (released.compareAndSet(false, true)) {
                count.decrementAndGet();
            }
        });
    }

    @Override
    public Mono<Spent> spent(String tenant, LocalDate day) {
        Day today = days.get(tenant);
        return Mono.just(
                today == null || !today.date.equals(day) ? Spent.NONE : new Spent(today.all.get(), today.large.get()));
    }

    @Override
    public void spend(String tenant, LocalDate day, long tokens, boolean largeModel) {
        Day today = days.compute(
                tenant, (name, current) -> current != null && current.date.equals(day) ? current : new Day(day));
        today.all.addAndGet(tokens);
        if (largeModel) {
            today.large.addAndGet(tokens);
        }
    }

    @Override
    public void retain(Set<String> tenants) {
        buckets.keySet().retainAll(tenants);
        inFlight.keySet().retainAll(tenants);
        days.keySet().retainAll(tenants);
    }

    @Override
    public String where() {
        return "process";
    }

    private record Limited(BucketConfiguration configuration, Bucket bucket) {}

    private record Day(LocalDate date, AtomicLong all, AtomicLong large) {
        Day(LocalDate date) {
            this(date, new AtomicLong(), new AtomicLong());
        }
    }
}
