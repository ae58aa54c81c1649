package dev.hybridrouter.gateway;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything needed to reach one large remote model. API keys are never part of the settings: only where
 * to find them.
 *
 * @param name the model's name in the policy
 * @param provider the API it speaks
 * @param model the provider's model name, e.g. {@code gpt-4o-mini}
 * @param baseUrl the API's base URL, or {@code null} for the provider's public endpoint
 * @param apiKeyEnv the environment variable holding the API key, or {@code null}
 * @param apiKeyFile the file holding the API key, or {@code null}
 * @param connectTimeout the longest to wait for a connection
 * @param timeout the longest a whole call may take
 */
public record LargeModelSettings(
        String name,
        Provider provider,
        String model,
        String baseUrl,
        String apiKeyEnv,
        String apiKeyFile,
        Duration connectTimeout,
        Duration timeout) {

    public LargeModelSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(timeout, "timeout");
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
