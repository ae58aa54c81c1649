package dev.hybridrouter.router.config;

import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.RouterProperties;
import dev.hybridrouter.router.routing.DomainClassifier;
import dev.hybridrouter.router.routing.EmbeddingCache;
import dev.hybridrouter.router.routing.EmbeddingDomainClassifier;
import java.util.function.Function;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The in-process classifier: one embedding cache for the process (each ONNX model loaded once, shared
 * across policy reloads), and a classifier trained on each policy's examples when it loads.
 */
@Configuration(proxyBeanMethods = false)
class ClassifierConfig {

    @Bean
    EmbeddingCache embeddingCache(RouterProperties properties) {
        return new EmbeddingCache(properties.classifier().cacheSize());
    }

    @Bean
    Function<Policy, DomainClassifier> classifiers(EmbeddingCache embeddings) {
        return policy -> EmbeddingDomainClassifier.of(policy, embeddings);
    }
}
