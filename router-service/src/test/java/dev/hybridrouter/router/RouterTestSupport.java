package dev.hybridrouter.router;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.execution.UpstreamResilience;
import dev.hybridrouter.router.routing.DomainClassifier;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The running router in front of fake upstreams: one WireMock server per kind of API (an
 * OpenAI-compatible local server, Ollama, OpenAI, Anthropic), on dynamic ports, started once per JVM so
 * every test class shares one application context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@Import(RouterTestSupport.TestBeans.class)
public abstract class RouterTestSupport {

    protected static final WireMockServer LOCAL = started();
    protected static final WireMockServer OLLAMA = started();
    protected static final WireMockServer OPENAI = started();
    protected static final WireMockServer ANTHROPIC = started();
    /** An OpenAI-compatible server whose streams send one chunk, then nothing ever again. */
    protected static final DisposableServer STALLING = stalling();

    protected static final String OPENAI_KEY = "sk-test-openai";
    protected static final String ANTHROPIC_KEY = "sk-ant-test";

    /** Every sampled span the routers of these tests ended, as they ended it. */
    protected static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();

    /** Where the test policy captures escalated exchanges of its {@code it-helpdesk} domain. */
    protected static final Path CAPTURE_DIRECTORY = temporaryDirectory("router-capture");

    private static final Path POLICY = writePolicy();

    @LocalServerPort
    protected int port;

    @Autowired
    protected WebTestClient web;

    @Autowired
    protected UpstreamResilience resilience;

    @Autowired
    protected MutableClock clock;

    @DynamicPropertySource
    static void routerProperties(DynamicPropertyRegistry registry) {
        registry.add("router.policies.location", POLICY::toString);
        registry.add("router.auto-models", () -> "auto,gpt-4o-mini");
        registry.add("router.limits.max-request-size", () -> "64KB");
    }

    @BeforeEach
    void resetFakes() {
        for (WireMockServer server : new WireMockServer[] {LOCAL, OLLAMA, OPENAI, ANTHROPIC}) {
            server.resetAll();
        }
        resilience.circuitBreakers().getAllCircuitBreakers().forEach(CircuitBreaker::reset);
        web = web.mutate()
                .responseTimeout(Duration.ofSeconds(30))
                // /actuator/prometheus, with every histogram bucket of every test's models
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024))
                .build();
    }

    /** Posts a JSON body to {@code /v1/chat/completions}. */
    protected WebTestClient.ResponseSpec postChat(String json) {
        return web.post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(json)
                .exchange();
    }

    /** The official OpenAI SDK, pointed at the router; close it after use. */
    protected OpenAIClient openAiClient() {
        return OpenAIOkHttpClient.builder()
                .baseUrl(baseUrl())
                .apiKey("unused")
                .maxRetries(0)
                .build();
    }

    /** How many POSTs to {@code path} a fake received. */
    protected static int calls(WireMockServer server, String path) {
        return server.findAll(postRequestedFor(urlEqualTo(path))).size();
    }

    protected String baseUrl() {
        return "http://localhost:" + port + "/v1";
    }

    private static Path temporaryDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static DisposableServer stalling() {
        DisposableServer server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes.post("/v1/chat/completions", (request, response) -> response.header(
                                "Content-Type", "text/event-stream")
                        .sendString(Flux.just(UpstreamFakes.openAiChunk("Hel")).concatWith(Flux.never()))))
                .bindNow();
        Runtime.getRuntime().addShutdownHook(new Thread(server::disposeNow));
        return server;
    }

    private static WireMockServer started() {
        WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort());
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        return server;
    }

    private static Path writePolicy() {
        try {
            Path dir = temporaryDirectory("router-test");
            Path openAiKey = Files.writeString(dir.resolve("openai.key"), OPENAI_KEY + "\n");
            Path anthropicKey = Files.writeString(dir.resolve("anthropic.key"), ANTHROPIC_KEY);
            String policy =
                    """
                    version: 1
                    name: test
                    classifier:
                      threshold: 0.5
                    domains:
                      - name: it-helpdesk
                        specialist: helpdesk-slm
                        examples: [I forgot my password, my laptop will not connect to the VPN]
                        capture: true
                      - name: hr
                        specialist: hr-slm
                        examples: [how many vacation days do I have left, when is payday]
                      - name: slow
                        specialist: slow-slm
                        examples: [slow]
                      - name: flaky
                        specialist: flaky-slm
                        examples: [flaky]
                      - name: records
                        specialist: records-slm
                        examples: [patient records]
                        residency: local-only
                      - name: busy
                        specialist: busy-slm
                        examples: [busy]
                      - name: stall
                        specialist: stall-slm
                        examples: [stall]
                      - name: billing
                        specialist: billing-slm
                        examples: [billing]
                        cascade:
                          band: [0.3, 0.5]
                          min-score: 0.5
                          prefix-tokens: 3
                    specialists:
                      helpdesk-slm:
                        provider: openai-compatible
                        base-url: %1$s/v1
                        model: qwen2.5-1.5b-instruct
                        system-prompt: You are the IT helpdesk.
                        price-per-million-tokens: {input: 0.02, output: 0.04}
                        few-shot:
                          - user: printer jammed
                            assistant: Open tray 2 and remove the paper.
                      hr-slm:
                        provider: ollama
                        base-url: %2$s
                        model: llama3.2:1b
                        system-prompt: You are the HR assistant.
                      slow-slm:
                        provider: openai-compatible
                        base-url: %1$s/slow/v1
                        model: qwen2.5-1.5b-instruct
                        timeout: 1s
                        fallback: hr-slm
                        resilience:
                          first-token-timeout: 500ms
                      flaky-slm:
                        provider: openai-compatible
                        base-url: %1$s/flaky/v1
                        model: qwen2.5-1.5b-instruct
                        resilience:
                          circuit-breaker: {minimum-calls: 2, sliding-window-size: 2, wait-in-open: 30s, half-open-calls: 1}
                          retry: {max-attempts: 1}
                      records-slm:
                        provider: openai-compatible
                        base-url: %1$s/records/v1
                        model: qwen2.5-1.5b-instruct
                        timeout: 1s
                      stall-slm:
                        provider: openai-compatible
                        base-url: http://127.0.0.1:%8$d/v1
                        model: qwen2.5-1.5b-instruct
                        timeout: 1s
                      billing-slm:
                        provider: openai-compatible
                        base-url: %1$s/billing/v1
                        model: qwen2.5-1.5b-instruct
                        timeout: 2s
                        resilience:
                          retry: {max-attempts: 1}
                      busy-slm:
                        provider: openai-compatible
                        base-url: %1$s/busy/v1
                        model: qwen2.5-1.5b-instruct
                        fallback: hr-slm
                        resilience:
                          max-concurrent-calls: 1
                          max-concurrent-failover-calls: 1
                    resilience:
                      retry: {initial-backoff: 10ms}
                    privacy:
                      pii:
                        phone: keep-local
                        custom:
                          - {name: patient-id, pattern: 'PID-[0-9]{6}', action: mask}
                    capture:
                      directory: %7$s
                    escalation:
                      large-model: cloud
                      fallbacks: [claude]
                      on-unavailable: local
                      on-specialist-unavailable: escalate
                    large-models:
                      cloud:
                        provider: openai
                        base-url: %3$s/v1
                        model: gpt-4o-mini
                        api-key-file: %5$s
                        timeout: 3s
                        price-per-million-tokens: {input: 0.15, output: 0.60}
                      claude:
                        provider: anthropic
                        base-url: %4$s/v1/
                        model: claude-3-5-haiku-latest
                        api-key-file: %6$s
                      keyless:
                        provider: openai
                        model: gpt-4o
                        api-key-env: HYBRID_ROUTER_TEST_UNSET_KEY
                    """
                            .formatted(
                                    LOCAL.baseUrl(),
                                    OLLAMA.baseUrl(),
                                    OPENAI.baseUrl(),
                                    ANTHROPIC.baseUrl(),
                                    openAiKey,
                                    anthropicKey,
                                    CAPTURE_DIRECTORY,
                                    STALLING.port());
            return Files.writeString(dir.resolve("test.yaml"), policy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The {@link KeywordClassifier}, primary over the service's embedding classifier: failover tests
     * must not depend on how well the embedding classifier routes; that has tests of its own.
     */
    @TestConfiguration
    public static class TestBeans {
        @Bean
        @Primary
        Function<Policy, DomainClassifier> keywordClassifiers() {
            return KeywordClassifier.forPolicies();
        }

        @Bean
        @Primary
        MutableClock testClock() {
            return new MutableClock();
        }

        /**
         * Beside the service's own span processor, which exports nowhere unless an OTLP endpoint is set. Not
         * a SimpleSpanProcessor: closing one context would shut {@link #SPANS} down for every other.
         */
        @Bean
        SpanProcessor testSpans() {
            return new SpanProcessor() {
                @Override
                public void onStart(Context parent, ReadWriteSpan span) {}

                @Override
                public boolean isStartRequired() {
                    return false;
                }

                @Override
                public void onEnd(ReadableSpan span) {
                    if (span.getSpanContext().isSampled()) {
                        SPANS.export(List.of(span.toSpanData()));
                    }
                }

                @Override
                public boolean isEndRequired() {
                    return true;
                }
            };
        }
    }
}
