package dev.hybridrouter.router.config;

import dev.hybridrouter.gateway.UpstreamHttpClient;
import dev.hybridrouter.router.RouterProperties;
import dev.hybridrouter.router.execution.UpstreamFactory;
import dev.hybridrouter.router.execution.UpstreamResilience;
import dev.hybridrouter.specialists.inprocess.InProcessEngine;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The way to the models: one pooled HTTP client for every upstream call, the in-process engine, and the
 * factory that builds each policy's upstreams on them. API keys come from the process environment.
 */
@Configuration(proxyBeanMethods = false)
class GatewayConfig {

    @Bean(destroyMethod = "close")
    UpstreamHttpClient upstreamHttpClient() {
        return UpstreamHttpClient.ofDefaults();
    }

    /** The in-process models, shared by every policy that names them; model files download in the background. */
    @Bean(destroyMethod = "close")
    InProcessEngine inProcessEngine(RouterProperties properties) {
        RouterProperties.Models models = properties.models();
        return InProcessEngine.create(models.cacheDir(), models.offline(), System.out);
    }

    @Bean
    UpstreamFactory upstreamFactory(
            UpstreamHttpClient http, InProcessEngine engine, UpstreamResilience resilience, Clock clock) {
        return new UpstreamFactory(http, engine, resilience, System::getenv, clock);
    }
}
