package dev.hybridrouter.router.redis;

import dev.hybridrouter.router.RouterProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The Redis of {@code router.redis.url}, when one is set. */
@Configuration(proxyBeanMethods = false)
class RedisConfig {

    @Bean
    @ConditionalOnExpression("!'${router.redis.url:}'.isBlank()")
    Redis redis(RouterProperties properties) {
        return new Redis(properties.redis().url(), properties.redis().timeout());
    }
}
