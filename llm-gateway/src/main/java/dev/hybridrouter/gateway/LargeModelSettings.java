package dev.hybridrouter.gateway;

import java.util.Objects;

/**
 * Everything needed to reach one large remote model.
 *
 * @param name the model's name in the policy
 * @param provider the API it speaks
 * @param model the provider's model name, e.g. {@code gpt-4o-mini}
 * @param baseUrl the API's base URL, or {@code null} for the provider's public endpoint
 * @param apiKey the API key, already read from where the policy said to find it
 */
public record LargeModelSettings(String name, Provider provider, String model, String baseUrl, String apiKey) {

    public LargeModelSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(apiKey, "apiKey");
        if (provider == Provider.OPENAI_COMPATIBLE && baseUrl == null) {
            throw new IllegalArgumentException(
                    "large model '" + name + "': an openai-compatible model needs a base URL");
        }
    }

    /** The APIs a large model can be reached through. */
    public enum Provider {
        OPENAI,
        ANTHROPIC,
        OPENAI_COMPATIBLE
    }
}
