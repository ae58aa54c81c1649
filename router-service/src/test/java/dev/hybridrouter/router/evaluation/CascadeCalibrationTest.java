package dev.hybridrouter.router.evaluation;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.serverError;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.hybridrouter.gateway.ChatClient;
import dev.hybridrouter.gateway.UpstreamHttpClient;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.policies.PolicyLoader;
import dev.hybridrouter.router.execution.UpstreamFactory;
import dev.hybridrouter.router.routing.DomainClassifier;
import dev.hybridrouter.specialists.Specialists;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link RouterEvaluator#calibrateCascades}: a cascade domain's answer-score threshold from its WireMock specialist. */
class CascadeCalibrationTest {

    @RegisterExtension
    static WireMockExtension specialist = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort())
            .build();

    private final UpstreamHttpClient http = UpstreamHttpClient.ofDefaults();

    @AfterEach
    void close() {
        http.close();
    }

    @Test
    void should_choose_the_score_that_best_keeps_the_domains_answers_and_escalates_the_others() {
        // given: confidence 0.4 is in billing's band [0.3, 0.5); 0.9 is confident, 0.1 below the band
        Policy policy = PolicyLoader.parse(
                "shop.yaml",
                """
                version: 1
                classifier: {threshold: 0.5}
                domains:
                  - name: billing
                    specialist: billing-slm
                    examples: [why was I charged twice]
                    cascade: {band: [0.3, 0.5], min-score: 0.3}
                  - name: shipping
                    specialist: billing-slm
                    examples: [where is my parcel]
                specialists:
                  billing-slm: {provider: openai-compatible, base-url: '%s/v1', model: qwen, timeout: 5s}
                escalation: {large-model: cloud}
                large-models:
                  cloud: {provider: openai, model: gpt-4o-mini}
                """
                        .formatted(specialist.baseUrl()));
        answer("keep-1", scored(0.9));
        answer("keep-2", scored(0.8));
        answer("other-1", scored(0.2));
        answer("other-2", scored(0.3));
        answer("bare", okJson(completion("")));
        answer("broken", serverError());
        List<LabeledConversation> data = List.of(
                conversation(1, "keep-1", "billing"),
                conversation(2, "keep-2", "billing"),
                conversation(3, "other-1", LabeledConversation.ESCALATE),
                conversation(4, "other-2", "shipping"),
                conversation(5, "bare", "billing"),
                conversation(6, "broken", "billing"),
                conversation(7, "sure", "billing"),
                conversation(8, "unknown", LabeledConversation.ESCALATE));
        Map<String, Double> confidences = Map.of("sure", 0.9, "unknown", 0.1);
        DomainClassifier classifier = conversation -> new DomainClassifier.Classification(
                Map.of("billing", confidences.getOrDefault(conversation.get(0).text(), 0.4), "shipping", 0.05), false);
        ChatClient client = new Specialists(http, name -> null, Clock.systemUTC())
                .create(UpstreamFactory.settings(
                        "billing-slm", policy.specialists().get("billing-slm")));

        // when
        Map<String, CascadeCalibration> calibrations =
                new RouterEvaluator(policy, classifier).calibrateCascades(data, name -> client);

        // then: at 0.55 both answers to keep are kept, both others escalate; the unscorable one escalates (wrongly)
        CascadeCalibration billing = calibrations.get("billing");
        assertThat(calibrations).containsOnlyKeys("billing");
        assertThat(billing.conversations()).isEqualTo(6);
        assertThat(billing.labelledForDomain()).isEqualTo(4);
        assertThat(billing.unscorable()).isEqualTo(1);
        assertThat(billing.failed()).isEqualTo(1);
        assertThat(billing.minScore()).isEqualTo(0.55);
        assertThat(billing.policyMinScore()).isEqualTo(0.3);
        assertThat(billing.accuracy()).isCloseTo(0.8, offset(1e-9));
        assertThat(billing.keptPrecision()).isEqualTo(1.0);
        assertThat(billing.escalatedShare()).isCloseTo(0.6, offset(1e-9));
        assertThat(specialist.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))))
                .hasSize(6)
                .allSatisfy(request -> assertThat(request.getBodyAsString()).contains("\"logprobs\":true"));
    }

    private static void answer(String message, ResponseDefinitionBuilder response) {
        specialist.stubFor(post("/v1/chat/completions")
                .withRequestBody(matchingJsonPath("$.messages[0].content", equalTo(message)))
                .willReturn(response));
    }

    private static LabeledConversation conversation(int line, String text, String label) {
        return new LabeledConversation(line, List.of(ChatMessage.user(text)), label);
    }

    /** An answer of two tokens, one sure and one of probability {@code p}. */
    private static ResponseDefinitionBuilder scored(double p) {
        return okJson(completion(
                ",\"logprobs\":{\"content\":[{\"token\":\"A\",\"logprob\":-0.001},{\"token\":\"B\",\"logprob\":"
                        + Math.log(p) + "}]}"));
    }

    private static String completion(String logprobs) {
        return "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"qwen\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"AB\"}" + logprobs
                + ",\"finish_reason\":\"stop\"}]}";
    }
}
