package dev.hybridrouter.router.chat;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.hybridrouter.router.UpstreamFakes.anthropicStream;
import static dev.hybridrouter.router.UpstreamFakes.openAiCompletion;
import static dev.hybridrouter.router.UpstreamFakes.openAiStream;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.router.RouterTestSupport;
import java.time.Duration;
import java.util.Set;
import net.jqwik.api.sessions.JqwikSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The chat endpoint under generated hostile input ({@link WireArbitraries}): arbitrary JSON and Unicode in
 * every field never gives a 5xx but a typed upstream error, never hangs, and never sends local-only text or
 * raw personal data to a cloud fake. Bounded: a fixed number of samples with a fixed seed; {@code
 * -Dfuzz.seed=N -Dfuzz.samples=M} runs other or more.
 */
class ChatFuzzIT extends RouterTestSupport {

    private static final long SEED = Long.getLong("fuzz.seed", 20261201L);
    private static final int SAMPLES = Integer.getInteger("fuzz.samples", 300);

    /** What a 5xx may be: an upstream's failure or the plan's end, never the router's own. */
    private static final Set<String> TYPED_5XX = Set.of(
            "upstream_auth_failed",
            "upstream_unreachable",
            "upstream_error",
            "upstream_timeout",
            "upstream_busy",
            "upstream_circuit_open",
            "upstream_not_configured",
            "local_only",
            "no_model_available");

    /** The test policy's local-only domain: a text that names it is local-only under the keyword classifier. */
    private static final String LOCAL_ONLY_TEXT = "patient records";

    private static final String EMAIL = "jane.roe@example.com";

    @BeforeEach
    void answerEverything() {
        for (WireMockServer server : new WireMockServer[] {LOCAL, OLLAMA, OPENAI}) {
            server.stubFor(post(com.github.tomakehurst.wiremock.client.WireMock.anyUrl())
                    .andMatching(
                            request -> MatchResult.of(!request.getBodyAsString().contains("\"stream\":true")))
                    .willReturn(openAiCompletion("fine")));
            server.stubFor(post(com.github.tomakehurst.wiremock.client.WireMock.anyUrl())
                    .andMatching(
                            request -> MatchResult.of(request.getBodyAsString().contains("\"stream\":true")))
                    .willReturn(openAiStream(1, 1, "fi", "ne")));
        }
        ANTHROPIC.stubFor(post("/v1/messages").willReturn(anthropicStream("fine")));
        web = web.mutate().responseTimeout(Duration.ofSeconds(20)).build();
        JqwikSession.start();
    }

    @AfterEach
    void endSession() {
        JqwikSession.finish();
    }

    @Test
    void should_answer_every_generated_request_with_a_success_or_an_openai_error_and_never_a_5xx_of_its_own() {
        WireArbitraries generate = new WireArbitraries(SEED);
        for (int sample = 0; sample < SAMPLES; sample++) {
            String body = generate.serialized(generate.request());
            EntityExchangeResult<byte[]> result = postChat(body).expectBody().returnResult();
            int status = result.getStatus().value();
            String answer = new String(
                    result.getResponseBodyContent() == null ? new byte[0] : result.getResponseBodyContent(),
                    java.nio.charset.StandardCharsets.UTF_8);
            String context = "sample " + sample + " (seed " + SEED + "): " + body + "\n→ " + status + " " + answer;
            if (status == 200) {
                assertThat(answer).as(context).containsAnyOf("\"chat.completion\"", "data:");
                continue;
            }
            JsonNode error = WireJson.MAPPER.readTree(answer).path("error");
            assertThat(error.isObject()).as(context).isTrue();
            assertThat(error.propertyNames()).as(context).containsExactlyInAnyOrder("message", "type", "param", "code");
            assertThat(status).as(context).isNotEqualTo(500);
            if (status >= 500) {
                assertThat(error.path("code").asString("")).as(context).isIn(TYPED_5XX);
            }
        }
    }

    @Test
    void should_never_send_local_only_text_to_a_large_model_wherever_it_sits_in_the_request() {
        WireArbitraries generate = new WireArbitraries(SEED + 1);
        for (int sample = 0; sample < SAMPLES; sample++) {
            OPENAI.resetRequests();
            ANTHROPIC.resetRequests();
            String model = sample % 3 == 0 ? "auto" : sample % 3 == 1 ? "cloud" : "claude";
            ObjectNode request = generate.withSecret(generate.validRequest(model), LOCAL_ONLY_TEXT);
            String body = generate.serialized(request);

            int status = postChat(body).expectBody().returnResult().getStatus().value();

            String context = "sample " + sample + " (seed " + SEED + ") answered " + status + ": " + body;
            assertThat(status).as(context).isNotEqualTo(500);
            assertThat(receivedByLargeModels()).as(context).doesNotContain("records");
        }
    }

    @Test
    void should_never_send_raw_personal_data_to_a_large_model_wherever_it_sits_in_the_request() {
        WireArbitraries generate = new WireArbitraries(SEED + 2);
        for (int sample = 0; sample < SAMPLES; sample++) {
            OPENAI.resetRequests();
            ANTHROPIC.resetRequests();
            ObjectNode request =
                    generate.withSecret(generate.validRequest(sample % 2 == 0 ? "cloud" : "claude"), EMAIL);
            String body = generate.serialized(request);

            int status = postChat(body).expectBody().returnResult().getStatus().value();

            String context = "sample " + sample + " (seed " + SEED + ") answered " + status + ": " + body;
            assertThat(status).as(context).isNotEqualTo(500);
            assertThat(receivedByLargeModels()).as(context).doesNotContain(EMAIL, "jane.roe");
        }
    }

    private static String receivedByLargeModels() {
        StringBuilder all = new StringBuilder();
        for (WireMockServer server : new WireMockServer[] {OPENAI, ANTHROPIC}) {
            for (LoggedRequest request : server.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(
                    com.github.tomakehurst.wiremock.client.WireMock.anyUrl()))) {
                all.append(request.getBodyAsString()).append('\n');
            }
        }
        return all.toString();
    }
}
