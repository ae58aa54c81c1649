package dev.hybridrouter.policies;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One routing policy: the domains a classifier chooses between, the local specialist behind each
 * domain, and the large remote models that take what no specialist can handle confidently.
 *
 * <p>Instances are immutable and fully validated: every name a policy refers to exists.
 *
 * @param name the policy's name; defaults to the file name without extension
 * @param classifier how requests are classified
 * @param domains the domains, in file order
 * @param specialists local specialist models by name
 * @param escalation where low-confidence and out-of-scope requests go
 * @param largeModels large remote models by name
 */
public record Policy(
        String name,
        Classifier classifier,
        List<Domain> domains,
        Map<String, Specialist> specialists,
        Escalation escalation,
        Map<String, LargeModel> largeModels) {

    public Policy {
        domains = List.copyOf(domains);
        specialists = Map.copyOf(specialists);
        largeModels = Map.copyOf(largeModels);
    }

    /** The domain with this name, if any. */
    public Optional<Domain> domain(String domainName) {
        return domains.stream().filter(d -> d.name().equals(domainName)).findFirst();
    }

    /** The minimum confidence to keep a request of this domain local. */
    public double threshold(Domain domain) {
        return domain.threshold() != null ? domain.threshold() : classifier.threshold();
    }

    /**
     * @param embeddingModel the in-process embedding model's id, e.g. {@code all-minilm-l6-v2-q}
     * @param threshold default minimum confidence to stay local, in [0,1]
     */
    public record Classifier(String embeddingModel, double threshold) {}

    /**
     * @param name the domain's name, also a model name callers may use to force this domain
     * @param description what the domain covers, for people reading the policy
     * @param specialist name of the specialist that answers this domain
     * @param threshold minimum confidence for this domain, or {@code null} for the policy default
     * @param examples example user messages the classifier learns from
     */
    public record Domain(String name, String description, String specialist, Double threshold, List<String> examples) {
        public Domain {
            examples = List.copyOf(examples);
        }
    }

    /**
     * A local small language model adapted to a domain by its prompt.
     *
     * @param provider the kind of server the model runs on
     * @param baseUrl the server's base URL
     * @param model the model name on that server (may name a LoRA adapter)
     * @param apiKeyEnv environment variable holding the server's API key, if it needs one
     * @param systemPrompt system prompt put before the caller's conversation, or {@code null}
     * @param fewShot example turns put between the system prompt and the caller's conversation
     * @param timeout the longest a whole call may take
     */
    public record Specialist(
            SpecialistProvider provider,
            String baseUrl,
            String model,
            String apiKeyEnv,
            String systemPrompt,
            List<Turn> fewShot,
            Duration timeout) {
        public Specialist {
            fewShot = List.copyOf(fewShot);
        }
    }

    /** One few-shot example: what the user says and what the assistant answers. */
    public record Turn(String user, String assistant) {}

    /** The kinds of server a specialist can run on. */
    public enum SpecialistProvider {
        /** Any server speaking the OpenAI Chat Completions API: vLLM, llama.cpp, LocalAI, LM Studio. */
        OPENAI_COMPATIBLE,
        /** An Ollama server. */
        OLLAMA
    }

    /** @param largeModel name of the large model that takes escalated requests */
    public record Escalation(String largeModel) {}

    /**
     * A large remote model. API keys never appear in the policy: only where to find them.
     *
     * @param provider the API the model speaks
     * @param model the provider's model name
     * @param baseUrl the API's base URL, or {@code null} for the provider's public endpoint
     * @param apiKeyEnv environment variable holding the API key
     * @param apiKeyFile file holding the API key (e.g. a mounted Kubernetes secret)
     * @param timeout the longest a whole call may take
     */
    public record LargeModel(
            LargeModelProvider provider,
            String model,
            String baseUrl,
            String apiKeyEnv,
            String apiKeyFile,
            Duration timeout) {}

    /** The APIs a large model can be reached through. */
    public enum LargeModelProvider {
        OPENAI,
        ANTHROPIC,
        OPENAI_COMPATIBLE
    }
}
