package dev.hybridrouter.router.tenant;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.hybridrouter.router.UpstreamFakes.openAiCompletion;
import static dev.hybridrouter.router.UpstreamFakes.openAiStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Two tenants with their own keys and policies on one router, called with the official OpenAI SDK: who may call,
 * which policy serves whom, their limits, a key revoked by a reload, and the admin endpoints.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class TenantsIT {

    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort())
            .build();

    private static final Path DIRECTORY = directory("router-tenants");
    private static final Path POLICIES = DIRECTORY.resolve("policies");
    private static final Path TENANTS = DIRECTORY.resolve("tenants.yaml");

    private static final String ACME = "sk-acme-1";
    private static final String GLOBEX = "sk-globex-1";
    private static final String GLOBEX_ROTATED = "sk-globex-2";
    private static final String INITECH = "sk-initech-1";
    private static final String HOOLI = "sk-hooli-1";
    private static final String UMBRELLA = "sk-umbrella-1";
    private static final String ADMIN = "sk-admin-1";

    @LocalServerPort
    int port;

    @Autowired
    WebTestClient web;

    @Autowired
    HttpHandler httpHandler;

    @Autowired
    TenantCounters counters;

    private final List<OpenAIClient> clients = new ArrayList<>();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        write(POLICIES.resolve("support.yaml"), policy("helpdesk", "my laptop will not start", "support"));
        write(POLICIES.resolve("finance.yaml"), policy("billing", "my invoice is wrong", "finance"));
        write(TENANTS, tenants(GLOBEX_ROTATED));
        registry.add("router.policies.location", POLICIES::toString);
        registry.add("router.tenants-file", TENANTS::toString);
        registry.add("router.policies.reload-interval", () -> "1h"); // reloads come from POST /admin/reload
    }

    @BeforeEach
    void answer() {
        upstream.stubFor(
                post(urlEqualTo("/support/v1/chat/completions")).willReturn(openAiCompletion("From support.")));
        upstream.stubFor(
                post(urlEqualTo("/finance/v1/chat/completions")).willReturn(openAiCompletion("From finance.")));
    }

    @AfterEach
    void restore() {
        clients.forEach(OpenAIClient::close);
        write(TENANTS, tenants(GLOBEX_ROTATED));
        reload(ADMIN).expectStatus().isOk();
    }

    @Test
    void should_serve_each_tenant_by_its_own_policy() {
        // when
        String acme = answer(client(ACME), "my laptop will not start");
        String globex = answer(client(GLOBEX), "my invoice is wrong");

        // then
        assertThat(acme).isEqualTo("From support.");
        assertThat(globex).isEqualTo("From finance.");
    }

    @Test
    void should_not_let_a_tenant_use_a_model_of_another_tenants_policy() {
        // when
        NotFoundException refused = catchThrowableOfType(
                NotFoundException.class,
                () -> client(ACME).chat().completions().create(request("billing", "my invoice is wrong")));

        // then
        assertThat(refused.body().toString()).contains("billing");
        upstream.verify(0, postRequestedFor(urlEqualTo("/finance/v1/chat/completions")));
    }

    @Test
    void should_answer_401_in_openais_shape_without_a_key_or_with_a_key_of_nobody() {
        // when
        var missing = web.post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body("helpdesk", "my laptop will not start"))
                .exchange();
        UnauthorizedException unknown = catchThrowableOfType(
                UnauthorizedException.class,
                () -> client("sk-nobody").chat().completions().create(request("helpdesk", "hello")));
        var garbage = web.get()
                .uri("/v1/models")
                .header("Authorization", "Basic dXNlcjpwYXNz")
                .exchange();

        // then
        missing.expectStatus()
                .isUnauthorized()
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("missing_api_key")
                .jsonPath("$.error.type")
                .isEqualTo("invalid_request_error");
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(unknown.body().toString()).contains("invalid_api_key").doesNotContain("sk-nobody");
        garbage.expectStatus()
                .isUnauthorized()
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("missing_api_key");
        upstream.verify(0, postRequestedFor(urlEqualTo("/support/v1/chat/completions")));
    }

    @Test
    void should_take_the_key_from_the_azure_style_header_and_either_of_two_rotated_keys() {
        // when
        var azure = web.get().uri("/v1/models").header("api-key", ACME).exchange();
        String rotated = answer(client(GLOBEX_ROTATED), "my invoice is wrong");

        // then
        azure.expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.data[?(@.id == 'helpdesk')]")
                .exists();
        assertThat(rotated).isEqualTo("From finance.");
    }

    @Test
    void should_refuse_a_key_the_tenants_file_no_longer_has_after_a_reload() {
        // given
        assertThat(answer(client(GLOBEX_ROTATED), "my invoice is wrong")).isEqualTo("From finance.");

        // when
        write(TENANTS, tenants(null));
        reload(ADMIN).expectStatus().isOk().expectBody().jsonPath("$.lastError").doesNotExist();

        // then
        assertThat(catchThrowableOfType(
                        UnauthorizedException.class,
                        () -> client(GLOBEX_ROTATED).chat().completions().create(request("billing", "invoice"))))
                .isNotNull();
        assertThat(answer(client(GLOBEX), "my invoice is wrong")).isEqualTo("From finance.");
    }

    @Test
    void should_keep_serving_the_tenants_in_force_when_a_changed_file_names_a_missing_policy() {
        // when
        write(TENANTS, tenants(GLOBEX_ROTATED).replace("policy: finance", "policy: fianance"));
        var status = reload(ADMIN);

        // then
        status.expectStatus().isOk().expectBody().jsonPath("$.lastError").value(String.class, error -> assertThat(error)
                .contains(TENANTS + ":", "'fianance'", "did you mean 'finance'?"));
        assertThat(answer(client(GLOBEX), "my invoice is wrong")).isEqualTo("From finance.");
    }

    @Test
    void should_refuse_a_request_over_the_tenants_requests_per_second_with_retry_after() {
        // given: initech may send one request every 1000 s
        web.get()
                .uri("/v1/models")
                .header("Authorization", "Bearer " + INITECH)
                .exchange()
                .expectStatus()
                .isOk();

        // when
        var over = web.get()
                .uri("/v1/models")
                .header("Authorization", "Bearer " + INITECH)
                .exchange();

        // then
        over.expectStatus()
                .isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
                .expectHeader()
                .value("Retry-After", after -> assertThat(Long.parseLong(after)).isBetween(990L, 1000L))
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("requests_per_second_exceeded")
                .jsonPath("$.error.message")
                .value(String.class, m -> assertThat(m).contains("initech"));
    }

    @Test
    void should_refuse_a_request_over_the_tenants_concurrency_until_one_has_ended() {
        // given: acme may have one request in flight, and this one waits for its model
        upstream.stubFor(post(urlEqualTo("/support/v1/chat/completions"))
                .withRequestBody(containing("slow"))
                .willReturn(openAiCompletion("Slowly.").withFixedDelay(2_000)));
        OpenAIClient acme = client(ACME);
        var first = CompletableFuture.supplyAsync(() -> answer(acme, "slow: my laptop will not start"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !upstream.findAll(postRequestedFor(urlEqualTo("/support/v1/chat/completions"))
                                .withRequestBody(containing("slow")))
                        .isEmpty());

        // when
        var second = web.post()
                .uri("/v1/chat/completions")
                .header("Authorization", "Bearer " + ACME)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body("helpdesk", "my laptop will not start"))
                .exchange();

        // then
        second.expectStatus()
                .isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
                .expectHeader()
                .valueEquals("Retry-After", "1")
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("concurrent_requests_exceeded");
        assertThat(first.join()).isEqualTo("Slowly.");
        assertThat(answer(client(ACME), "my laptop will not start")).isEqualTo("From support.");
    }

    @Test
    void should_free_a_tenants_slot_before_the_end_of_its_answer_reaches_the_caller_whole_or_streamed() {
        // given: acme may have one request in flight; whether its slot is free is looked at as each piece of an
        // answer reaches the wire, the last one ending the whole answer or carrying the stream's [DONE]
        upstream.stubFor(post(urlEqualTo("/support/v1/chat/completions"))
                .withRequestBody(containing("\"stream\":true"))
                .willReturn(openAiStream(1, 1, "Stream", "ed.")));
        List<String> seen = new ArrayList<>();

        // when
        for (String stream : List.of("false", "true")) {
            MockServerHttpResponse wire = new MockServerHttpResponse();
            wire.setWriteHandler(body -> Flux.from(body)
                    .concatMap(piece -> slot("acme").map(slot -> lastLine(piece) + " with the slot " + slot))
                    .doOnNext(seen::add)
                    .then());
            httpHandler
                    .handle(
                            MockServerHttpRequest.post("/v1/chat/completions")
                                    .header("Authorization", "Bearer " + ACME)
                                    .contentType(MediaType.APPLICATION_JSON)
                                    .body("{\"model\":\"helpdesk\",\"stream\":" + stream
                                            + ",\"messages\":[{\"role\":\"user\",\"content\":\"my laptop\"}]}"),
                            wire)
                    .block(Duration.ofSeconds(10));
        }

        // then
        assertThat(seen.get(0)).startsWith("{\"id\"").endsWith("with the slot free");
        assertThat(seen.get(seen.size() - 2)).endsWith("with the slot taken"); // the stream's last chunk
        assertThat(seen.get(seen.size() - 1)).isEqualTo("data:[DONE] with the slot free");
    }

    /** Whether a request of this tenant, allowed one at a time, would be admitted now. */
    private Mono<String> slot(String tenant) {
        return counters.takeSlot(tenant, 1)
                .map(permit -> {
                    permit.release();
                    return "free";
                })
                .defaultIfEmpty("taken");
    }

    private static String lastLine(DataBuffer piece) {
        String text = piece.toString(StandardCharsets.UTF_8).strip();
        return text.substring(text.lastIndexOf('\n') + 1);
    }

    @Test
    void should_open_the_admin_endpoints_to_the_admin_key_only_and_show_no_key_hashes() {
        // when
        var tenantKey = web.get()
                .uri("/admin/status")
                .header("Authorization", "Bearer " + ACME)
                .exchange();
        var adminKey = web.get()
                .uri("/admin/status")
                .header("Authorization", "Bearer " + ADMIN)
                .exchange();
        var adminOnChat = web.get()
                .uri("/v1/models")
                .header("Authorization", "Bearer " + ADMIN)
                .exchange();

        // then
        tenantKey.expectStatus().isUnauthorized();
        adminKey.expectStatus().isOk().expectBody(String.class).value(status -> assertThat(status)
                .contains("\"acme\"", "\"policy\":\"support\"", "\"maxConcurrent\":1")
                .doesNotContain(ApiKeys.sha256(ACME)));
        adminOnChat.expectStatus().isUnauthorized();
    }

    @Test
    void should_show_the_tenants_in_health() {
        web.get()
                .uri("/actuator/health")
                .exchange()
                .expectBody()
                .jsonPath("$.components.policies.details.access")
                .value(String.class, access -> assertThat(access).isEqualTo("5 tenants from " + TENANTS))
                .jsonPath("$.components.policies.details.policies")
                .value(List.class, names -> assertThat(names).containsExactlyInAnyOrder("finance", "support"));
    }

    @Test
    void should_count_each_tenants_requests_and_tokens_in_the_metrics() {
        // given
        answer(client(ACME), "my laptop will not start");

        // when
        String metrics = web.get()
                .uri("/actuator/prometheus")
                .exchange()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();

        // then
        assertThat(metrics.lines())
                .anySatisfy(line -> assertThat(line)
                        .startsWith("router_requests_total{")
                        .contains("tenant=\"acme\"", "policy=\"support\"", "target=\"specialist:support-slm\"")
                        .contains("escalated=\"false\"", "outcome=\"ok\""))
                .anySatisfy(line -> assertThat(line)
                        .startsWith("router_tokens_total{")
                        .contains("kind=\"completion\"", "tenant=\"acme\""));
    }

    @Test
    void should_charge_a_tenants_tokens_streamed_or_whole_and_refuse_once_its_daily_budget_is_spent() {
        // given: hooli may spend 3 tokens a day, and every answer costs 2
        upstream.stubFor(post(urlEqualTo("/support/v1/chat/completions"))
                .withRequestBody(containing("\"stream\":true"))
                .willReturn(openAiStream(1, 1, "Stream", "ed.")));
        String stream = web.post()
                .uri("/v1/chat/completions")
                .header("Authorization", "Bearer " + HOOLI)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"helpdesk\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"my laptop will not start\"}]}")
                .exchange()
                .expectStatus()
                .isOk()
                .returnResult(String.class)
                .getResponseBody()
                .collectList()
                .block(Duration.ofSeconds(10))
                .toString();
        assertThat(answer(client(HOOLI), "my laptop will not start")).isEqualTo("From support.");

        // when
        var spent = web.get()
                .uri("/v1/models")
                .header("Authorization", "Bearer " + HOOLI)
                .exchange();

        // then
        assertThat(stream).contains("Stream", "[DONE]").doesNotContain("usage");
        upstream.verify(postRequestedFor(urlEqualTo("/support/v1/chat/completions"))
                .withRequestBody(containing("\"include_usage\":true")));
        spent.expectStatus()
                .isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
                .expectHeader()
                .exists("Retry-After")
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("token_budget_exceeded");
    }

    @Test
    void should_answer_a_repeated_deterministic_request_from_the_cache_of_the_same_tenant_only() {
        // given: umbrella has no limits; acme, allowed one request at a time, sends one (a sequential request can
        // race with the release of the one before, which ends just after its last byte was written)
        String body = "{\"model\":\"helpdesk\",\"temperature\":0,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"cache me: my laptop will not start\"}]}";
        var first = deterministic(UMBRELLA, body);

        // when
        var again = deterministic(UMBRELLA, body);
        var otherTenant = deterministic(ACME, body);

        // then
        first.expectHeader().valueEquals("x-router-cache", "miss");
        again.expectHeader()
                .valueEquals("x-router-cache", "hit")
                .expectHeader()
                .valueEquals("x-router-target", "specialist:support-slm")
                .expectBody()
                .jsonPath("$.choices[0].message.content")
                .isEqualTo("From support.");
        otherTenant.expectHeader().valueEquals("x-router-cache", "miss");
        upstream.verify(
                2,
                postRequestedFor(urlEqualTo("/support/v1/chat/completions")).withRequestBody(containing("cache me")));
        web.post()
                .uri("/admin/cache/purge")
                .header("Authorization", "Bearer " + ADMIN)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.purged.support")
                .value(Number.class, purged -> assertThat(purged.longValue()).isPositive());
        deterministic(UMBRELLA, body).expectHeader().valueEquals("x-router-cache", "miss");
    }

    @Test
    void should_answer_a_paraphrase_of_a_single_turn_request_from_the_semantic_cache_of_the_same_tenant_only() {
        // given
        String kept = "{\"model\":\"helpdesk\",\"temperature\":0,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"How do I reset my laptop password?\"}]}";
        String paraphrase = kept.replace("How do I", "How can I");
        deterministic(UMBRELLA, kept).expectHeader().valueEquals("x-router-cache", "miss");

        // when
        var again = deterministic(UMBRELLA, paraphrase);
        var otherTenant = deterministic(ACME, paraphrase);

        // then
        again.expectHeader()
                .valueEquals("x-router-cache", "semantic-hit")
                .expectHeader()
                .value("x-router-cache-similarity", similarity -> assertThat(Double.parseDouble(similarity))
                        .isBetween(0.95, 1.0));
        otherTenant.expectHeader().valueEquals("x-router-cache", "miss");
        upstream.verify( // umbrella's first request and acme's: never umbrella's paraphrase
                2,
                postRequestedFor(urlEqualTo("/support/v1/chat/completions"))
                        .withRequestBody(containing("reset my laptop password")));
    }

    private WebTestClient.ResponseSpec deterministic(String key, String body) {
        return web.post()
                .uri("/v1/chat/completions")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isOk();
    }

    private WebTestClient.ResponseSpec reload(String key) {
        return web.post()
                .uri("/admin/reload")
                .header("Authorization", "Bearer " + key)
                .exchange();
    }

    private OpenAIClient client(String key) {
        OpenAIClient client = OpenAIOkHttpClient.builder()
                .baseUrl("http://localhost:" + port + "/v1")
                .apiKey(key)
                .maxRetries(0)
                .build();
        clients.add(client);
        return client;
    }

    private static String answer(OpenAIClient client, String text) {
        String model = text.contains("invoice") ? "billing" : "helpdesk";
        return client.chat()
                .completions()
                .create(request(model, text))
                .choices()
                .get(0)
                .message()
                .content()
                .orElseThrow();
    }

    private static ChatCompletionCreateParams request(String model, String text) {
        return ChatCompletionCreateParams.builder()
                .model(model)
                .addUserMessage(text)
                .build();
    }

    private static String body(String model, String text) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    private static String tenants(String rotatedGlobexKey) {
        String globexKeys = rotatedGlobexKey == null
                ? ApiKeys.sha256(GLOBEX)
                : "[" + ApiKeys.sha256(GLOBEX) + ", " + ApiKeys.sha256(rotatedGlobexKey) + "]";
        return """
                tenants:
                  acme:
                    api-key-sha256: %s
                    policy: support
                    rate-limit: {max-concurrent: 1}
                  globex:
                    api-key-sha256: %s
                    policy: finance
                  initech:
                    api-key-sha256: %s
                    policy: support
                    rate-limit: {requests-per-second: 0.001}
                  hooli:
                    api-key-sha256: %s
                    policy: support
                    budget: {tokens-per-day: 3}
                  umbrella:
                    api-key-sha256: %s
                    policy: support
                admin:
                  api-key-sha256: %s
                """
                .formatted(
                        ApiKeys.sha256(ACME),
                        globexKeys,
                        ApiKeys.sha256(INITECH),
                        ApiKeys.sha256(HOOLI),
                        ApiKeys.sha256(UMBRELLA),
                        ApiKeys.sha256(ADMIN));
    }

    private static String policy(String domain, String example, String path) {
        return """
                version: 1
                domains:
                  - name: %1$s
                    specialist: %3$s-slm
                    examples: [%2$s]
                specialists:
                  %3$s-slm:
                    provider: openai-compatible
                    base-url: %4$s/%3$s/v1
                    model: qwen
                cache:
                  semantic: {similarity: 0.95}
                """
                .formatted(domain, example, path, upstream.baseUrl());
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Path next = Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), text);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path directory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
