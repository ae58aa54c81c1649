package dev.hybridrouter.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** Reads an upstream's API key from where its policy says: an environment variable or a file. */
public final class ApiKeys {

    private ApiKeys() {}

    /**
     * @param upstream how messages name the upstream, e.g. {@code large model 'cloud'}
     * @param envName the environment variable holding the key, or {@code null}
     * @param file the file holding the key (e.g. a mounted Kubernetes secret), or {@code null}
     * @param env reads environment variables
     * @return the key, trimmed
     * @throws UpstreamNotConfiguredException when neither gives a key
     */
    public static String read(String upstream, String envName, String file, UnaryOperator<String> env) {
        if (envName != null) {
            String key = env.apply(envName);
            if (key == null || key.isBlank()) {
                throw new UpstreamNotConfiguredException(
                        upstream + " cannot be called: environment variable " + envName + " (its API key) is not set");
            }
            return key.trim();
        }
        if (file != null) {
            try {
                return Files.readString(Path.of(file)).trim();
            } catch (IOException e) {
                throw new UpstreamNotConfiguredException(
                        upstream + " cannot be called: its API key file " + file + " cannot be read");
            }
        }
        throw new UpstreamNotConfiguredException(
                upstream + " cannot be called: the policy gives no api-key-env or api-key-file");
    }
}
