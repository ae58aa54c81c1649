package dev.hybridrouter.router;

import java.util.Objects;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;

/**
 * For a router started in a test's JVM with {@code SpringApplicationBuilder}: keeps the application's component
 * scan, which covers the test classes on this class path, off the tests' own configurations (one of them replaces
 * the clock with one that never moves) and off the benchmarks' package. Register it as a singleton bean from an
 * initializer.
 */
public final class SkipTestConfigurations extends TypeExcludeFilter {

    private static final String BENCHMARKS = SkipTestConfigurations.class.getPackageName() + ".bench.";

    @Override
    public boolean match(MetadataReader reader, MetadataReaderFactory factory) {
        return reader.getAnnotationMetadata().hasAnnotation("org.springframework.boot.test.context.TestConfiguration")
                || reader.getClassMetadata().getClassName().startsWith(BENCHMARKS);
    }

    @Override
    public boolean equals(Object other) {
        return other != null && getClass() == other.getClass();
    }

    @Override
    public int hashCode() {
        return Objects.hash(getClass());
    }
}
