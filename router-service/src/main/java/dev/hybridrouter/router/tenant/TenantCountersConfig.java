package dev.hybridrouter.router.tenant;

import dev.hybridrouter.router.RouterProperties;
import dev.hybridrouter.router.redis.Redis;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Where tenants' limits and budgets are counted: in Redis when {@code router.redis.url} is set, else here. */
@Configuration(proxyBeanMethods = false)
class TenantCountersConfig {

    private static final Logger log = LoggerFactory.getLogger(TenantCountersConfig.class);

    @Bean
    TenantCounters tenantCounters(RouterProperties properties, Clock clock, ObjectProvider<Redis> redis) {
        TimeMeter time = new ClockTime(clock);
        Redis shared = redis.getIfAvailable();
        if (shared == null) {
            return new LocalCounters(time);
        }
        RouterProperties.Redis settings = properties.redis();
        log.info(
                "Tenants' limits and budgets are counted in Redis at {}, shared by every replica; when it fails,"
                        + " requests are {}",
                shared.where(),
                settings.onFailure() == RouterProperties.OnFailure.OPEN
                        ? "served without them (router.redis.on-failure: open)"
                        : "refused (router.redis.on-failure: closed)");
        return new GuardedCounters(
                new RedisCounters(shared, settings.slotLease(), time),
                settings.timeout(),
                settings.onFailure() == RouterProperties.OnFailure.OPEN,
                Redis.breaker("tenant-counts"));
    }

    /** Bucket4j's time from the service's clock, so that tests can move it. */
    record ClockTime(Clock clock) implements TimeMeter {
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
