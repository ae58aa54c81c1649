package dev.hybridrouter.router.tenant;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.hybridrouter.router.UpstreamFakes.openAiCompletion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.hybridrouter.router.HybridRouterApplication;
import dev.hybridrouter.router.RedisServer;
import dev.hybridrouter.router.SkipTestConfigurations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two routers, as two replicas behind one Service, sharing one real redis-server: one tenant's request rate,
 * requests in flight and daily tokens are held together, whichever replica a request reaches, and so is the
 * response cache, except for local-only requests.
 */
class SharedLimitsIT {

    @RegisterExtension
    static WireMockExtension upstream = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort())
            .build();

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static RedisServer redis;
    private static ConfigurableApplicationContext first;
    private static ConfigurableApplicationContext second;

    @BeforeAll
    static void start() throws IOException {
        redis = RedisServer.start();
        Path directory = Files.createTempDirectory("router-shared");
        Path policy = Files.writeString(
                directory.resolve("support.yaml"),
                """
                version: 1
                domains:
                  - name: helpdesk
                    specialist: slm
                    examples: [my laptop will not start]
                  - name: records
                    specialist: slm
                    residency: local-only
                    examples: [patient records]
                specialists:
                  slm:
                    provider: openai-compatible
                    base-url: %s/v1
                    model: qwen
                """
                        .formatted(upstream.baseUrl()));
        Path tenants = Files.writeString(
                directory.resolve("tenants.yaml"),
                """
                tenants:
                  rate:
                    api-key-sha256: %s
                    policy: support
                    rate-limit: {requests-per-second: 0.001}
                  slots:
                    api-key-sha256: %s
                    policy: support
                    rate-limit: {max-concurrent: 1}
                  budget:
                    api-key-sha256: %s
                    policy: support
                    budget: {tokens-per-day: 2}
                  cached:
                    api-key-sha256: %s
                    policy: support
                """
                        .formatted(
                                ApiKeys.sha256("sk-rate"),
                                ApiKeys.sha256("sk-slots"),
                                ApiKeys.sha256("sk-budget"),
                                ApiKeys.sha256("sk-cached")));
        first = router(policy, tenants);
        second = router(policy, tenants);
    }

    @AfterAll
    static void stop() {
        first.close();
        second.close();
        redis.close();
    }

    @Test
    void should_hold_a_tenants_request_rate_across_both_replicas() {
        // when
        int onFirst = models(first, "sk-rate");
        int onSecond = models(second, "sk-rate");

        // then
        assertThat(onFirst).isEqualTo(200);
        assertThat(onSecond).isEqualTo(429);
    }

    @Test
    void should_hold_a_tenants_requests_in_flight_across_both_replicas() {
        // given: a request on the first replica waits for its model
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(containing("slow"))
                .willReturn(openAiCompletion("Slowly.").withFixedDelay(2_000)));
        CompletableFuture<HttpResponse<String>> slow = HTTP.sendAsync(
                chat(first, "sk-slots", "slow: my laptop will not start"), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> !upstream.findAll(
                        postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(containing("slow")))
                .isEmpty());

        // when
        int onSecond = models(second, "sk-slots");

        // then
        assertThat(onSecond).isEqualTo(429);
        assertThat(slow.join().statusCode()).isEqualTo(200);
        assertThat(models(second, "sk-slots")).isEqualTo(200);
    }

    @Test
    void should_count_tokens_spent_on_one_replica_against_the_budget_on_the_other() throws Exception {
        // given: every answer costs 2 tokens, the whole day's budget
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(openAiCompletion("Answered.")));
        HttpResponse<String> answered =
                HTTP.send(chat(first, "sk-budget", "my laptop will not start"), HttpResponse.BodyHandlers.ofString());

        // when / then
        assertThat(answered.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> models(second, "sk-budget") == 429);
    }

    @Test
    void should_answer_from_the_cache_on_one_replica_what_the_other_kept_but_keep_local_only_answers_local()
            throws Exception {
        // given
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(openAiCompletion("Answered.")));
        HttpResponse<String> kept = HTTP.send(
                chat(first, "sk-cached", "helpdesk", "0", "shared: my laptop will not start"),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> local = HTTP.send(
                chat(first, "sk-cached", "records", "0", "the patient records of PID-123456"),
                HttpResponse.BodyHandlers.ofString());

        // when: the same requests on the other replica, once the first replica's put reached Redis
        await().atMost(Duration.ofSeconds(10))
                .until(() -> cacheHeader(second, "helpdesk", "shared: my laptop will not start")
                        .equals("hit"));
        String localOnSecond = cacheHeader(second, "records", "the patient records of PID-123456");
        String localOnFirst = cacheHeader(first, "records", "the patient records of PID-123456");

        // then
        assertThat(kept.headers().firstValue("x-router-cache")).hasValue("miss");
        assertThat(local.headers().firstValue("x-router-cache")).hasValue("miss");
        assertThat(localOnSecond).isEqualTo("miss");
        assertThat(localOnFirst).isEqualTo("hit");
        assertThat(upstream.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                        .withRequestBody(containing("shared: my laptop"))))
                .hasSize(1);
    }

    private static String cacheHeader(ConfigurableApplicationContext router, String model, String text)
            throws IOException, InterruptedException {
        HttpResponse<String> response =
                HTTP.send(chat(router, "sk-cached", model, "0", text), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.headers().firstValue("x-router-cache").orElse("none");
    }

    private static ConfigurableApplicationContext router(Path policy, Path tenants) {
        return new SpringApplicationBuilder(HybridRouterApplication.class)
                .initializers(context -> context.getBeanFactory()
                        .registerSingleton("skipTestConfigurations", new SkipTestConfigurations()))
                .run(
                        "--server.address=127.0.0.1",
                        "--server.port=0",
                        "--router.policies.location=" + policy,
                        "--router.tenants-file=" + tenants,
                        "--router.redis.url=" + redis.url(),
                        "--router.redis.timeout=2s",
                        "--spring.main.banner-mode=off");
    }

    private static int models(ConfigurableApplicationContext router, String key) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(uri(router, "/v1/models"))
                                    .header("Authorization", "Bearer " + key)
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpRequest chat(ConfigurableApplicationContext router, String key, String text) {
        return chat(router, key, "helpdesk", null, text);
    }

    /** @param temperature the request's temperature, or null for none */
    private static HttpRequest chat(
            ConfigurableApplicationContext router, String key, String model, String temperature, String text) {
        return HttpRequest.newBuilder(uri(router, "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\","
                        + (temperature == null ? "" : "\"temperature\":" + temperature + ",")
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}"))
                .build();
    }

    private static URI uri(ConfigurableApplicationContext router, String path) {
        return URI.create(
                "http://127.0.0.1:" + router.getEnvironment().getRequiredProperty("local.server.port") + path);
    }
}
