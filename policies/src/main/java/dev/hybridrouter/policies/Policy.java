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
     * @param fallback another specialist to answer when this one is unavailable, or {@code null}
     * @param resilience breaker, time limits, bulkhead and retry for calls to this specialist
     */
    public record Specialist(
            SpecialistProvider provider,
            String baseUrl,
            String model,
            String apiKeyEnv,
            String systemPrompt,
            List<Turn> fewShot,
            Duration timeout,
            String fallback,
            Resilience resilience) {
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

    /**
     * Where escalated requests go, and what happens when models are unavailable.
     *
     * @param largeModel name of the large model that takes escalated requests, or {@code null} for none
     * @param fallbacks large models tried in order when the one before is unavailable
     * @param onUnavailable what to do when every large model is unavailable
     * @param onSpecialistUnavailable what to do when a specialist (and its fallback) is unavailable
     */
    public record Escalation(
            String largeModel,
            List<String> fallbacks,
            OnUnavailable onUnavailable,
            OnSpecialistUnavailable onSpecialistUnavailable) {

        /** No large model: every request is answered locally. */
        public static final Escalation NONE =
                new Escalation(null, List.of(), OnUnavailable.LOCAL, OnSpecialistUnavailable.FAIL);

        public Escalation {
            fallbacks = List.copyOf(fallbacks);
        }

        /** The large models in the order they are tried. */
        public List<String> chain() {
            if (largeModel == null) {
                return List.of();
            }
            var chain = new java.util.ArrayList<String>(1 + fallbacks.size());
            chain.add(largeModel);
            chain.addAll(fallbacks);
            return List.copyOf(chain);
        }
    }

    /** When every large model is unavailable. */
    public enum OnUnavailable {
        /** Answer with the best local specialist, marked degraded. */
        LOCAL,
        /** Answer 503 with {@code Retry-After}. */
        FAIL
    }

    /** When a specialist and its fallback are unavailable. */
    public enum OnSpecialistUnavailable {
        /** Send the request to the large models. */
        ESCALATE,
        /** Answer 503 with {@code Retry-After}. */
        FAIL
    }

    /**
     * A large remote model. API keys never appear in the policy: only where to find them.
     *
     * @param provider the API the model speaks
     * @param model the provider's model name
     * @param baseUrl the API's base URL, or {@code null} for the provider's public endpoint
     * @param apiKeyEnv environment variable holding the API key
     * @param apiKeyFile file holding the API key (e.g. a mounted Kubernetes secret)
     * @param timeout the longest a whole call may take
     * @param resilience breaker, time limits, bulkhead and retry for calls to this model
     */
    public record LargeModel(
            LargeModelProvider provider,
            String model,
            String baseUrl,
            String apiKeyEnv,
            String apiKeyFile,
            Duration timeout,
            Resilience resilience) {}

    /**
     * How calls to one upstream model are protected. The loader resolves every field: the upstream's own
     * {@code resilience} block over the policy's top-level {@code resilience} block over the defaults.
     *
     * @param circuitBreaker when to stop calling an upstream that keeps failing, and when to try it again
     * @param connectTimeout the longest to wait for a connection
     * @param firstTokenTimeout the longest to wait for the first token of a streamed answer
     * @param maxConcurrentCalls calls in flight at once to this upstream; more are refused at once (bulkhead)
     * @param retry how failed calls are tried again
     */
    public record Resilience(
            CircuitBreaker circuitBreaker,
            Duration connectTimeout,
            Duration firstTokenTimeout,
            int maxConcurrentCalls,
            Retry retry) {

        /** The defaults, used where neither the upstream nor the policy says otherwise. */
        public static final Resilience DEFAULTS = new Resilience(
                new CircuitBreaker(50, 100, Duration.ofSeconds(30), 10, 20, Duration.ofSeconds(30), 3),
                Duration.ofSeconds(5),
                Duration.ofSeconds(20),
                64,
                new Retry(2, Duration.ofMillis(200), 2.0, 0.5, Duration.ofSeconds(10)));
    }

    /**
     * A count-based circuit breaker. Failures: 5xx, 408, 429, timeouts, connection errors; not other 4xx.
     *
     * @param failureRateThreshold percentage of failed calls in the window that opens the breaker, (0,100]
     * @param slowCallRateThreshold percentage of slow calls in the window that opens the breaker, (0,100]
     * @param slowCallDuration a call slower than this counts as slow
     * @param minimumCalls calls recorded before the rates are judged
     * @param slidingWindowSize the number of most recent calls the rates are computed over
     * @param waitInOpen how long an open breaker refuses calls before letting probes through
     * @param halfOpenCalls probe calls let through when half open; their outcome closes or reopens it
     */
    public record CircuitBreaker(
            float failureRateThreshold,
            float slowCallRateThreshold,
            Duration slowCallDuration,
            int minimumCalls,
            int slidingWindowSize,
            Duration waitInOpen,
            int halfOpenCalls) {}

    /**
     * Retry with exponential backoff and jitter. A stream is never retried once its first token was sent.
     *
     * @param maxAttempts attempts in all, the first included; 1 means no retry
     * @param initialBackoff the wait before the first retry
     * @param multiplier each further wait is this many times the previous one
     * @param jitter the wait varies randomly by up to this fraction, in [0,1)
     * @param maxRetryAfter the longest {@code Retry-After} (from a 429 or 503) honoured; a longer one is not retried
     */
    public record Retry(
            int maxAttempts, Duration initialBackoff, double multiplier, double jitter, Duration maxRetryAfter) {}

    /** The APIs a large model can be reached through. */
    public enum LargeModelProvider {
        OPENAI,
        ANTHROPIC,
        OPENAI_COMPATIBLE
    }
}
