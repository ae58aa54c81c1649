package dev.hybridrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.router.routing.ClassifierDiskCache;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class RouterPropertiesTest {

    @Test
    void should_keep_trained_classifiers_in_the_user_cache_when_no_directory_is_set() {
        // when
        RouterProperties properties = bind(Map.of());

        // then
        assertThat(properties.classifier().cacheDirectory()).contains(ClassifierDiskCache.DEFAULT_DIR);
        assertThat(properties.classifier().cacheFiles()).isEqualTo(32);
    }

    @Test
    void should_keep_trained_classifiers_in_the_directory_set() {
        // when
        RouterProperties properties = bind(Map.of("router.classifier.cache-dir", "/var/cache/classifiers"));

        // then
        assertThat(properties.classifier().cacheDirectory()).contains(Path.of("/var/cache/classifiers"));
    }

    @Test
    void should_keep_no_trained_classifier_on_disk_when_the_directory_is_empty() {
        // when
        RouterProperties properties = bind(Map.of("router.classifier.cache-dir", ""));

        // then
        assertThat(properties.classifier().cacheDirectory()).isEmpty();
    }

    private static RouterProperties bind(Map<String, String> settings) {
        return new Binder(new MapConfigurationPropertySource(settings))
                .bindOrCreate(RouterProperties.PREFIX, RouterProperties.class);
    }
}
