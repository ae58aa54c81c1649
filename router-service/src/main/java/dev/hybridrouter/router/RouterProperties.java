package dev.hybridrouter.router;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The service's own settings, under {@value #PREFIX}.
 *
 * @param policies where routing policies come from
 * @param autoModels model names that mean "let the router decide"; add the names your apps already
 *     send (e.g. {@code gpt-4o-mini}) so they need no change
 * @param maxRequestSize the largest request body accepted; larger ones get 413
 * @param classifier the in-process classifier's settings
 */
@Validated
@ConfigurationProperties(RouterProperties.PREFIX)
public record RouterProperties(
        @DefaultValue Policies policies,
        @DefaultValue("auto") List<String> autoModels,
        @DefaultValue("1MB") DataSize maxRequestSize,
        @DefaultValue Classifier classifier) {

    public static final String PREFIX = "router";

    /**
     * @param location one policy YAML file or a directory of them; empty for the bundled example
     * @param reloadInterval how often the location is checked for changes
     */
    public record Policies(String location, @DefaultValue("5s") Duration reloadInterval) {}

    /** @param cacheSize the most message embeddings kept (about 1.6 KB each); 0 turns the cache off */
    public record Classifier(@DefaultValue("10000") long cacheSize) {}
}
