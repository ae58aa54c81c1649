package dev.hybridrouter.router.config;

import dev.hybridrouter.router.RouterProperties;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.reactive.config.WebFluxConfigurer;

/** HTTP settings: the request size limit, and the clock responses are stamped with. */
@Configuration(proxyBeanMethods = false)
class WebConfig implements WebFluxConfigurer {

    private final RouterProperties properties;

    WebConfig(RouterProperties properties) {
        this.properties = properties;
    }

    @Override
    public void configureHttpMessageCodecs(ServerCodecConfigurer codecs) {
        codecs.defaultCodecs()
                .maxInMemorySize(
                        Math.toIntExact(properties.limits().maxRequestSize().toBytes()));
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
