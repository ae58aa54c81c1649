package dev.hybridrouter.policies;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * One routing policy: the domains a classifier chooses between, the local specialist behind each
 * domain, and the large remote models that take what no specialist can handle confidently.
 *
 * <p>Instances are immutable and fully validated: every name a policy refers to exists. The loader binds
 * them from the policy file after filling in every default from {@code defaults.yaml}.
 *
 * @param name the policy's name; defaults to the file name without extension
 * @param classifier how requests are classified
 * @param domains the domains, in file order
 * @param specialists local specialist models by name
 * @param escalation where low-confidence and out-of-scope requests go; {@code null} means {@link Escalation#NONE}
 * @param largeModels large remote models by name
 * @param residency {@link Residency#LOCAL_ONLY} keeps every request of this policy (tenant) local
 * @param privacy what happens to personal data in a request that would leave
 * @param capture where escalated exchanges are recorded for distillation, or {@code null} for nowhere
 * @param cache which whole answers are kept and given again for the same request
 * @param learning how escalated requests are labelled by a large model and learned from, or {@code null}: never
 */
@JsonIgnoreProperties("version")
public record Policy(
        String name,
        Classifier classifier,
        List<Domain> domains,
        Map<String, Specialist> specialists,
        Escalation escalation,
        Map<String, LargeModel> largeModels,
        Residency residency,
        Privacy privacy,
        Capture capture,
        Cache cache,
        Learning learning) {

    public Policy {
        domains = List.copyOf(domains);
        specialists = Map.copyOf(specialists);
        largeModels = Map.copyOf(largeModels);
        escalation = escalation != null ? escalation : Escalation.NONE;
        cache = cache != null ? cache : Cache.DEFAULTS;
    }

    /** A policy without residency, PII or capture settings: data may leave, values are masked, nothing is captured. */
    public Policy(
            String name,
            Classifier classifier,
            List<Domain> domains,
            Map<String, Specialist> specialists,
            Escalation escalation,
            Map<String, LargeModel> largeModels) {
        this(
                name,
                classifier,
                domains,
                specialists,
                escalation,
                largeModels,
                Residency.ANY,
                Privacy.DEFAULTS,
                null,
                Cache.DEFAULTS,
                null);
    }

    /**
     * This policy with what was learned from labelled traffic: each domain's learned examples after its own, the
     * learned out-of-scope examples after the classifier's.
     */
    public Policy withLearned(LearnedExamples learned) {
        List<Domain> grown = domains.stream()
                .map(domain -> domain.withExamples(learned.examples(domain.name())))
                .toList();
        List<String> outOfScope = new ArrayList<>(classifier.outOfScopeExamples());
        outOfScope.addAll(learned.outOfScopeExamples());
        return new Policy(
                name,
                new Classifier(classifier.embeddingModel(), classifier.threshold(), outOfScope, classifier.fastStage()),
                grown,
                specialists,
                escalation,
                largeModels,
                residency,
                privacy,
                capture,
                cache,
                learning);
    }

    /** The domain with this name, if any. */
    public Optional<Domain> domain(String domainName) {
        return domains.stream().filter(d -> d.name().equals(domainName)).findFirst();
    }

    /** Whether any model of the policy has a price, so that its tokens' cost is estimated. */
    public boolean pricesTokens() {
        return specialists.values().stream().anyMatch(s -> s.price() != null)
                || largeModels.values().stream().anyMatch(m -> m.price() != null);
    }

    /** The minimum confidence to keep a request of this domain local. */
    public double threshold(Domain domain) {
        return domain.threshold() != null ? domain.threshold() : classifier.threshold();
    }

    /**
     * @param embeddingModel the in-process embedding model's id, e.g. {@code all-minilm-l6-v2-q}
     * @param threshold default minimum confidence to stay local, in [0,1]
     * @param outOfScopeExamples user messages that belong to no domain and must escalate; {@code null} means none
     * @param fastStage the classifier's first stage, on static embeddings; {@code null} means {@link FastStage#OFF}
     */
    public record Classifier(
            String embeddingModel, double threshold, List<String> outOfScopeExamples, FastStage fastStage) {
        public Classifier {
            outOfScopeExamples = outOfScopeExamples != null ? List.copyOf(outOfScopeExamples) : List.of();
            fastStage = fastStage != null ? fastStage : FastStage.OFF;
        }
    }

    /**
     * The classifier's fast first stage: it decides a conversation it puts in a domain with at least this
     * confidence (and the domain's threshold), the full embedding model decides the rest.
     *
     * @param enabled whether there is a fast stage
     * @param minConfidence the fast stage's confidence that decides, in [0.5, 1]
     */
    public record FastStage(boolean enabled, double minConfidence) {

        /** No fast stage: the full model classifies every conversation. */
        public static final FastStage OFF = new FastStage(false, 1);
    }

    /**
     * @param name the domain's name, also a model name callers may use to force this domain
     * @param description what the domain covers, for people reading the policy; {@code null} means empty
     * @param specialist name of the specialist that answers this domain
     * @param threshold minimum confidence for this domain, or {@code null} for the policy default
     * @param examples example user messages the classifier learns from
     * @param residency {@link Residency#LOCAL_ONLY} keeps this domain's requests local
     * @param residencyThreshold for a local-only domain: the score, on any user turn, at or above which a
     *     request is kept local; resolved by the loader (defaults below the routing threshold), else null
     * @param capture whether escalated exchanges of this domain are captured for distillation
     * @param cascade when the specialist answers first a request that would escalate, and its answer decides; or
     *     {@code null} for never
     */
    public record Domain(
            String name,
            String description,
            String specialist,
            Double threshold,
            List<String> examples,
            Residency residency,
            Double residencyThreshold,
            boolean capture,
            Cascade cascade) {
        public Domain {
            description = description != null ? description : "";
            examples = List.copyOf(examples);
        }

        /** A domain without a cascade. */
        public Domain(
                String name,
                String description,
                String specialist,
                Double threshold,
                List<String> examples,
                Residency residency,
                Double residencyThreshold,
                boolean capture) {
            this(name, description, specialist, threshold, examples, residency, residencyThreshold, capture, null);
        }

        /** A domain whose data may leave and which captures nothing. */
        public Domain(String name, String description, String specialist, Double threshold, List<String> examples) {
            this(name, description, specialist, threshold, examples, Residency.ANY, null, false);
        }

        public boolean localOnly() {
            return residency == Residency.LOCAL_ONLY;
        }

        /** This domain with more examples after its own. */
        Domain withExamples(List<String> more) {
            if (more.isEmpty()) {
                return this;
            }
            List<String> all = new ArrayList<>(examples);
            all.addAll(more);
            return new Domain(
                    name, description, specialist, threshold, all, residency, residencyThreshold, capture, cascade);
        }
    }

    /**
     * The confidence cascade of a domain: a request whose confidence falls in the band, and which would escalate
     * for low confidence, is answered by the domain's specialist first; the answer is kept when its score (from
     * its tokens' log-probabilities) reaches {@code minScore}, else the large model answers instead.
     *
     * @param band the lowest confidence that cascades and the confidence from which it no longer does: {@code
     *     [low, high)}, {@code high} at most the domain's routing threshold
     * @param minScore the answer score, in [0,1], at or above which the specialist's answer is kept
     * @param stream what a streamed request in the band does
     * @param prefixTokens with {@link CascadeStream#PREFIX}: how many of the answer's first tokens are scored before
     *     anything is sent
     */
    public record Cascade(List<Double> band, double minScore, CascadeStream stream, int prefixTokens) {
        public Cascade {
            band = List.copyOf(band);
        }

        /** Whether a confidence falls in the band. */
        public boolean covers(double confidence) {
            return confidence >= band.get(0) && confidence < band.get(1);
        }
    }

    /** What a streamed request in a cascade's band does. */
    public enum CascadeStream {
        /** Buffer the specialist's first tokens, score them, then send them on or stream the large model instead. */
        PREFIX,
        /** Route as if the domain had no cascade. */
        SKIP
    }

    /** Where a request's data may go. */
    public enum Residency {
        /** To local specialists and, on escalation, to large remote models. */
        ANY,
        /** Never to any large model: not on low confidence, not when the specialist is down, not on failover. */
        LOCAL_ONLY
    }

    /**
     * What happens to personal data in a request that would go to a large model.
     *
     * @param pii the action for each built-in detector
     * @param custom detectors the policy adds, each a regular expression with its own action
     */
    public record Privacy(Map<PiiType, PiiAction> pii, List<CustomPii> custom) {

        /** Each built-in detector's default action; no custom detectors. */
        public static final Privacy DEFAULTS = PolicyDefaults.privacy();

        public Privacy {
            pii = Map.copyOf(pii);
            custom = custom != null ? List.copyOf(custom) : List.of();
        }

        /** Whether any detector's action is {@link PiiAction#KEEP_LOCAL}. */
        public boolean keepsAnythingLocal() {
            return pii.containsValue(PiiAction.KEEP_LOCAL)
                    || custom.stream().anyMatch(c -> c.action() == PiiAction.KEEP_LOCAL);
        }
    }

    /** The built-in personal data detectors. */
    public enum PiiType {
        EMAIL,
        PHONE,
        /** Payment card numbers that pass the Luhn check. */
        PAYMENT_CARD,
        /** IBANs with a valid checksum. */
        IBAN,
        US_SSN,
        IP_ADDRESS
    }

    /** What to do with a detected value when the request would leave. */
    public enum PiiAction {
        /** Send it as it is. */
        ALLOW,
        /** Replace it with a placeholder such as {@code <EMAIL_1>}, and put it back into the answer. */
        MASK,
        /** Keep the whole request local, as if its domain were local-only. */
        KEEP_LOCAL
    }

    /**
     * A detector the policy adds.
     *
     * @param name names the placeholder, e.g. {@code patient-id} gives {@code <PATIENT_ID_1>}
     * @param pattern a Java regular expression
     * @param action what to do with a match
     */
    public record CustomPii(String name, String pattern, PiiAction action) {}

    /**
     * The exact response cache.
     *
     * @param requests which requests are cached
     * @param ttl how long an answer is kept
     * @param maxBytes the most memory the cached answers take, as their JSON bytes
     * @param semantic the semantic cache's settings, or {@code null} when it is off
     */
    public record Cache(
            CachedRequests requests,
            Duration ttl,
            @JsonProperty("max-size") @JsonDeserialize(using = PolicyBinding.SizeDeserializer.class) long maxBytes,
            Semantic semantic) {

        /** The defaults of defaults.yaml. */
        public static final Cache DEFAULTS = PolicyDefaults.cache();

        /** Without the semantic cache. */
        public Cache(CachedRequests requests, Duration ttl, long maxBytes) {
            this(requests, ttl, maxBytes, null);
        }
    }

    /**
     * The semantic cache: single-turn requests answered again when their user message means the same.
     *
     * @param similarity the cosine similarity at or above which an earlier answer is given, for routes not in
     *     {@code domains}
     * @param domains a similarity per domain name
     * @param maxEntries the most answered messages remembered per policy
     */
    public record Semantic(double similarity, Map<String, Double> domains, int maxEntries) {
        public Semantic {
            domains = domains != null ? Map.copyOf(domains) : Map.of();
        }

        /** The similarity for a request routed to {@code route}. */
        public double similarity(String route) {
            return domains.getOrDefault(route, similarity);
        }
    }

    /** Which requests the response cache keeps answers of. */
    public enum CachedRequests {
        OFF,
        /** Requests with {@code temperature} 0. */
        DETERMINISTIC,
        ALL
    }

    /**
     * Where escalated exchanges of opted-in domains are written, as JSON lines, for distillation.
     *
     * @param directory the folder of the capture files
     * @param maxFileBytes a file is rotated when it would grow past this size
     * @param retention files older than this are deleted
     * @param queueSize exchanges waiting to be written; when full, new ones are dropped and counted
     */
    public record Capture(
            String directory,
            @JsonProperty("max-file-size") @JsonDeserialize(using = PolicyBinding.SizeDeserializer.class)
                    long maxFileBytes,
            Duration retention,
            int queueSize) {}

    /**
     * The large model as teacher: escalated requests labelled off the request path, the labels learned from.
     *
     * @param directory the folder of the label files and of the policy's learned examples
     * @param mode whether labels wait for review or are learned by themselves
     * @param teacher the large model asked for labels (resolved by the loader: {@code escalation.large-model} when
     *     the policy names none)
     * @param sample share of escalated requests labelled
     * @param labelsPerDay the most labelling calls a day (UTC)
     * @param timeout the longest one labelling call may take
     * @param queueSize requests waiting to be labelled; when full, new ones are not labelled
     * @param maxFileBytes a label file is rotated when it would grow past this size
     * @param retention label files older than this are deleted
     * @param automatic the rules of {@link LearningMode#AUTOMATIC}
     */
    public record Learning(
            String directory,
            LearningMode mode,
            String teacher,
            double sample,
            int labelsPerDay,
            Duration timeout,
            int queueSize,
            @JsonProperty("max-file-size") @JsonDeserialize(using = PolicyBinding.SizeDeserializer.class)
                    long maxFileBytes,
            Duration retention,
            Automatic automatic) {

        /** The file of what this policy learned, in the learning directory. */
        public Path learnedFile(String policyName) {
            return Path.of(directory).resolve(policyName + LearnedExamples.SUFFIX);
        }
    }

    /** What is done with labels. */
    public enum LearningMode {
        /** Labels wait for people: {@code review} lists them, {@code promote} makes the accepted ones examples. */
        REVIEW,
        /** Labels that meet the automatic rules become examples, and the classifier retrains by itself. */
        AUTOMATIC
    }

    /**
     * When a label becomes an example by itself.
     *
     * @param agreement labels of the same text needed, all agreeing
     * @param runnerUp whether a domain label counts only when it is the classifier's best or second-best domain
     * @param examplesPerDay the most examples added a day (UTC)
     * @param heldBack share of labelled texts never learned from, kept to judge each new classifier
     * @param minHeldBack held-back labels needed before a new classifier may be judged
     * @param retrainEvery new examples collected before the classifier trains again
     */
    public record Automatic(
            int agreement, boolean runnerUp, int examplesPerDay, double heldBack, int minHeldBack, int retrainEvery) {}

    /**
     * What a model's tokens cost, per million, in one currency of the operator's choice (the router converts
     * nothing; every price in a policy should use the same one).
     *
     * @param input per million prompt tokens
     * @param output per million completion tokens
     */
    public record Price(double input, double output) {

        /** The cost of an answer's tokens. */
        public double of(long promptTokens, long completionTokens) {
            return (promptTokens * input + completionTokens * output) / 1_000_000;
        }
    }

    /**
     * A local small language model adapted to a domain by its prompt.
     *
     * @param provider where the model runs: in process, or the kind of server it runs on
     * @param baseUrl the server's base URL; {@code null} in process
     * @param model the model name on that server (may name a LoRA adapter); in process, the name answers carry,
     *     or {@code null} for the file's name
     * @param apiKeyEnv environment variable holding the server's API key, if it needs one
     * @param systemPrompt system prompt put before the caller's conversation, or {@code null}
     * @param fewShot example turns put between the system prompt and the caller's conversation; {@code null}
     *     means none
     * @param timeout the longest a whole call may take
     * @param fallback another specialist to answer when this one is unavailable, or {@code null}
     * @param resilience breaker, time limits, bulkhead and retry for calls to this specialist
     * @param residency {@link Residency#LOCAL_ONLY} keeps every request routed to this specialist local
     * @param inProcess the model file and how it runs, for {@link SpecialistProvider#IN_PROCESS}; else {@code null}
     * @param price what its tokens cost, or {@code null}: free (a local model's cost is the operator's to set)
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
            Resilience resilience,
            Residency residency,
            @JsonProperty("in-process") InProcess inProcess,
            @JsonProperty("price-per-million-tokens") Price price) {
        public Specialist {
            fewShot = fewShot != null ? List.copyOf(fewShot) : List.of();
        }
    }

    /**
     * A GGUF model run by llama.cpp inside the router.
     *
     * @param modelPath the file, or {@code null} when it is downloaded from {@code modelUrl}
     * @param modelUrl where the file is downloaded from into the model cache, or {@code null}
     * @param modelSha256 the SHA-256 of the file at {@code modelUrl}, or {@code null}
     * @param contextSize tokens of context per request, or {@code null} for the smaller of 4096 and the model's
     * @param threads CPU threads generating, or {@code null} for llama.cpp's default
     * @param maxConcurrent requests generated at once
     * @param queueLimit requests waiting for a slot at most; beyond them requests are refused as busy
     * @param lora a LoRA adapter GGUF applied on top of the model, or {@code null}
     * @param load when the model is loaded
     */
    public record InProcess(
            String modelPath,
            String modelUrl,
            String modelSha256,
            Integer contextSize,
            Integer threads,
            int maxConcurrent,
            int queueLimit,
            String lora,
            Load load) {}

    /** When an in-process model is loaded. */
    public enum Load {
        /** At start-up (and on reload), in the background; readiness waits for it. */
        EAGER,
        /** On the first request for it. */
        LAZY
    }

    /** One few-shot example: what the user says and what the assistant answers. */
    public record Turn(String user, String assistant) {}

    /** Where a specialist's model runs. */
    public enum SpecialistProvider {
        /** Inside the router: a GGUF file run by llama.cpp. */
        IN_PROCESS,
        /** Any server speaking the OpenAI Chat Completions API: vLLM, llama.cpp, LocalAI, LM Studio. */
        OPENAI_COMPATIBLE,
        /** An Ollama server. */
        OLLAMA
    }

    /**
     * Where escalated requests go, and what happens when models are unavailable.
     *
     * @param largeModel name of the large model that takes escalated requests, or {@code null} for none
     * @param fallbacks large models tried in order when the one before is unavailable; {@code null} means none
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
            fallbacks = fallbacks != null ? List.copyOf(fallbacks) : List.of();
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
     * @param price what its tokens cost, or {@code null}: unknown, so neither its cost nor savings against it are
     *     estimated
     */
    public record LargeModel(
            LargeModelProvider provider,
            String model,
            String baseUrl,
            String apiKeyEnv,
            String apiKeyFile,
            Duration timeout,
            Resilience resilience,
            @JsonProperty("price-per-million-tokens") Price price) {}

    /**
     * How calls to one upstream model are protected. The loader resolves every field: the upstream's own
     * {@code resilience} block over the policy's top-level {@code resilience} block over the defaults.
     *
     * @param circuitBreaker when to stop calling an upstream that keeps failing, and when to try it again
     * @param connectTimeout the longest to wait for a connection
     * @param firstTokenTimeout the longest to wait for the first token of a streamed answer
     * @param maxConcurrentCalls calls in flight at once to this upstream that the decision meant for it; more
     *     are refused at once (bulkhead)
     * @param maxConcurrentFailoverCalls calls in flight at once that fail over to this upstream from another
     *     model (a degraded answer for an unavailable cloud, a fallback specialist); a bulkhead of their own, so
     *     that they never take the places of the upstream's own traffic
     * @param retry how failed calls are tried again
     */
    public record Resilience(
            CircuitBreaker circuitBreaker,
            Duration connectTimeout,
            Duration firstTokenTimeout,
            int maxConcurrentCalls,
            int maxConcurrentFailoverCalls,
            Retry retry) {

        /** The defaults, used where neither the upstream nor the policy says otherwise. */
        public static final Resilience DEFAULTS = PolicyDefaults.resilience();
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
