package dev.hybridrouter.router.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hybridrouter.policies.Tenants;
import dev.hybridrouter.router.MutableClock;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TenantLimitsTest {

    private final MutableClock clock = new MutableClock();
    private final TenantLimits limits = new TenantLimits(new LocalCounters(new TenantCountersConfig.ClockTime(clock)));

    @Test
    void should_admit_a_burst_of_one_seconds_worth_then_refuse_until_the_bucket_refills() {
        // given
        Tenants.Tenant tenant = tenant(new Tenants.RateLimit(4.0, null));
        for (int i = 0; i < 4; i++) {
            limits.admit(tenant).block();
        }

        // when
        ApiException over = catchThrowableOfType(
                ApiException.class, () -> limits.admit(tenant).block());
        clock.advance(Duration.ofMillis(250));
        TenantLimits.Permit after = limits.admit(tenant).block();

        // then
        assertThat(over.code()).isEqualTo(ErrorCode.REQUESTS_PER_SECOND_EXCEEDED);
        assertThat(over.retryAfter()).isEqualTo(Duration.ofMillis(250));
        assertThat(over.getMessage()).contains("acme", "4.0");
        assertThat(after).isNotNull();
    }

    @Test
    void should_allow_one_request_per_period_below_one_a_second() {
        // given
        Tenants.Tenant tenant = tenant(new Tenants.RateLimit(0.5, null));
        limits.admit(tenant).block();

        // when
        ApiException over = catchThrowableOfType(
                ApiException.class, () -> limits.admit(tenant).block());
        clock.advance(Duration.ofSeconds(2));

        // then
        assertThat(over.retryAfter()).isEqualTo(Duration.ofSeconds(2));
        assertThat(limits.admit(tenant).block()).isNotNull();
    }

    @Test
    void should_hold_the_concurrency_limit_exactly_under_concurrent_callers() throws Exception {
        // given
        Tenants.Tenant tenant = tenant(new Tenants.RateLimit(null, 3));
        int callers = 16;
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger refused = new AtomicInteger();
        List<Callable<TenantLimits.Permit>> calls = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            calls.add(() -> {
                start.await();
                try {
                    return limits.admit(tenant).block();
                } catch (ApiException e) {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONCURRENT_REQUESTS_EXCEEDED);
                    refused.incrementAndGet();
                    return null;
                }
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(callers);

        // when
        List<Future<TenantLimits.Permit>> results = new ArrayList<>();
        calls.forEach(call -> results.add(pool.submit(call)));
        start.countDown();
        List<TenantLimits.Permit> admitted = new ArrayList<>();
        for (Future<TenantLimits.Permit> result : results) {
            if (result.get() != null) {
                admitted.add(result.get());
            }
        }
        pool.shutdown();

        // then
        assertThat(admitted).hasSize(3);
        assertThat(refused).hasValue(callers - 3);
        admitted.get(0).release();
        admitted.get(0).release(); // a second release of one permit frees nothing more
        assertThat(limits.admit(tenant).block()).isNotNull();
        assertThat(catchThrowableOfType(
                                ApiException.class, () -> limits.admit(tenant).block())
                        .retryAfter())
                .isEqualTo(TenantLimits.CONCURRENCY_RETRY_AFTER);
    }

    @Test
    void should_not_spend_a_token_on_a_request_refused_for_concurrency() {
        // given
        Tenants.Tenant tenant = tenant(new Tenants.RateLimit(2.0, 1));
        TenantLimits.Permit first = limits.admit(tenant).block();
        catchThrowableOfType(ApiException.class, () -> limits.admit(tenant).block());

        // when
        first.release();

        // then
        assertThat(limits.admit(tenant).block()).isNotNull();
    }

    @Test
    void should_start_afresh_when_a_tenants_limits_change() {
        // given
        limits.admit(tenant(new Tenants.RateLimit(1.0, null))).block();

        // when
        TenantLimits.Permit changed =
                limits.admit(tenant(new Tenants.RateLimit(2.0, null))).block();

        // then
        assertThat(changed).isNotNull();
    }

    @Test
    void should_admit_everything_without_limits() {
        assertThat(limits.admit(tenant(null)).block()).isSameAs(TenantLimits.Permit.NONE);
    }

    private static Tenants.Tenant tenant(Tenants.RateLimit limit) {
        return new Tenants.Tenant("acme", List.of("a".repeat(64)), "support", limit, null);
    }
}
