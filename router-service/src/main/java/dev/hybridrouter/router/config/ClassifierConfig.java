package dev.hybridrouter.router.config;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.RouterProperties;
import dev.hybridrouter.router.routing.ClassifierDiskCache;
import dev.hybridrouter.router.routing.DomainClassifier;
import dev.hybridrouter.router.routing.EmbeddingCache;
import dev.hybridrouter.router.routing.EmbeddingDomainClassifier;
import dev.hybridrouter.router.routing.EmbeddingDomainClassifier.Inputs;
import dev.hybridrouter.router.routing.TwoStageClassifier;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.function.Function;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The in-process classifier: one embedding cache for the process (each ONNX model loaded once, shared
 * across policy reloads), and a classifier trained on each policy's examples when it loads, in two stages unless the
 * policy turns its fast stage off ({@link TwoStageClassifier}). The last {@value #TRAINED} stages are kept in memory by what they were trained on, so a reload that changes no example (or
 * a version automatic learning trained and judged already) does not train again; behind them, unless {@code
 * router.classifier.cache-dir} is empty, the {@link ClassifierDiskCache}, so that a new process does not either.
 */
@Configuration(proxyBeanMethods = false)
class ClassifierConfig {

    @Bean
    EmbeddingCache embeddingCache(RouterProperties properties) {
        return new EmbeddingCache(properties.classifier().cacheSize());
    }

    static final int TRAINED = 32;

    @Bean
    Function<Policy, DomainClassifier> classifiers(
            EmbeddingCache embeddings, RouterProperties properties, Clock clock, MeterRegistry meters) {
        RouterProperties.Classifier settings = properties.classifier();
        Function<Inputs, EmbeddingDomainClassifier> train = settings.cacheDirectory()
                .map(dir -> new ClassifierDiskCache(dir, settings.cacheFiles(), embeddings, clock))
                .<Function<Inputs, EmbeddingDomainClassifier>>map(disk -> disk::get)
                .orElse(inputs -> EmbeddingDomainClassifier.of(inputs, embeddings));
        Cache<Inputs, EmbeddingDomainClassifier> trained =
                Caffeine.newBuilder().maximumSize(TRAINED).build();
        return policy -> TwoStageClassifier.of(policy, inputs -> trained.get(inputs, train), meters);
    }
}
