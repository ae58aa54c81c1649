package dev.hybridrouter.router.config;

import dev.hybridrouter.gateway.UpstreamHttpClient;
import dev.hybridrouter.router.execution.UpstreamFactory;
import dev.hybridrouter.router.execution.UpstreamResilience;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The way out to the models: one pooled HTTP client for every upstream call, and the factory that builds
 * each policy's upstreams on it. API keys come from the process environment.
 */
@Configuration(proxyBeanMethods = false)
class GatewayConfig {

    @Bean(destroyMethod = "close")
    UpstreamHttpClient upstreamHttpClient() {
        return UpstreamHttpClient.ofDefaults();
    }

    @Bean
    UpstreamFactory upstreamFactory(UpstreamHttpClient http, UpstreamResilience resilience, Clock clock) {
        return new UpstreamFactory(http, resilience, System::getenv, clock);
    }
}
