package dev.hybridrouter.router.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import dev.hybridrouter.router.routing.RoutingDecision.Reason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouterTest {

    private static final Policy.Specialist SLM = specialist(null);
    private static final Policy POLICY = new Policy(
            "bank",
            new Policy.Classifier("all-minilm-l6-v2-q", 0.55, List.of(), null),
            List.of(
                    new Policy.Domain("cards", "", "cards-slm", null, List.of("block my card")),
                    new Policy.Domain("loans", "", "loans-slm", 0.8, List.of("mortgage rates"))),
            Map.of("cards-slm", specialist("loans-slm"), "loans-slm", SLM),
            new Policy.Escalation(
                    "cloud", List.of("claude"), Policy.OnUnavailable.LOCAL, Policy.OnSpecialistUnavailable.ESCALATE),
            Map.of("cloud", largeModel(), "claude", largeModel()));

    @Test
    void should_route_to_the_best_domain_when_its_confidence_passes_the_default_threshold() {
        Router router = routerScoring(Map.of("cards", 0.70, "loans", 0.20), false);

        RoutingDecision decision = router.route(request("auto", ChatMessage.user("x")));

        assertThat(decision.route()).isEqualTo("cards");
        assertThat(decision.target()).hasToString("specialist:cards-slm");
        assertThat(decision.escalate()).isFalse();
        assertThat(decision.reason()).isEqualTo(Reason.CONFIDENT);
        assertThat(decision.confidence()).isEqualTo(0.70);
        assertThat(decision.scores()).containsEntry("loans", 0.20);
    }

    @Test
    void should_plan_the_specialist_its_fallbacks_then_the_large_models_marked_degraded() {
        Router router = routerScoring(Map.of("cards", 0.70, "loans", 0.20), false);

        RoutingDecision decision = router.route(request("auto", ChatMessage.user("x")));

        assertThat(decision.plan())
                .containsExactly(
                        Attempt.of(RoutingDecision.Target.specialist("cards-slm")),
                        Attempt.of(RoutingDecision.Target.specialist("loans-slm")),
                        new Attempt(RoutingDecision.Target.large("cloud"), Router.SPECIALIST_UNAVAILABLE),
                        new Attempt(RoutingDecision.Target.large("claude"), Router.SPECIALIST_UNAVAILABLE));
    }

    @Test
    void should_escalate_for_low_confidence_and_plan_the_chain_then_the_domain_specialists_degraded() {
        Router router = routerScoring(Map.of("cards", 0.10, "loans", 0.75), false);

        RoutingDecision decision = router.route(request("auto", ChatMessage.user("x")));

        assertThat(decision.route()).isEqualTo("loans");
        assertThat(decision.target()).hasToString("large:cloud");
        assertThat(decision.escalate()).isTrue();
        assertThat(decision.reason()).isEqualTo(Reason.LOW_CONFIDENCE);
        assertThat(decision.plan())
                .extracting(attempt -> attempt.target() + (attempt.degraded() ? " (degraded)" : ""))
                .containsExactly("large:cloud", "large:claude", "specialist:loans-slm (degraded)");
    }

    @Test
    void should_escalate_as_out_of_scope_when_the_classifier_says_so_whatever_the_scores() {
        Router router = routerScoring(Map.of("cards", 0.99, "loans", 0.0), true);

        RoutingDecision decision = router.route(request(null, ChatMessage.user("x")));

        assertThat(decision.escalate()).isTrue();
        assertThat(decision.reason()).isEqualTo(Reason.OUT_OF_SCOPE);
        assertThat(decision.reason().label()).isEqualTo("out-of-scope");
    }

    @Test
    void should_stay_local_when_the_policy_has_no_large_model() {
        Policy local = new Policy(
                POLICY.name(),
                POLICY.classifier(),
                POLICY.domains(),
                POLICY.specialists(),
                Policy.Escalation.NONE,
                Map.of());
        Router router = new Router(
                local, c -> new DomainClassifier.Classification(Map.of("cards", 0.1), false), Set.of("auto"), 100);

        RoutingDecision decision = router.route(request("auto", ChatMessage.user("x")));

        assertThat(decision.target()).hasToString("specialist:cards-slm");
        assertThat(decision.escalate()).isFalse();
        assertThat(decision.reason()).isEqualTo(Reason.LOW_CONFIDENCE);
    }

    @Test
    void should_force_the_specialist_without_classifying_when_the_model_names_a_domain_or_specialist() {
        Router router = new Router(
                POLICY,
                c -> {
                    throw new AssertionError("a forced request must not be classified");
                },
                Set.of("auto"),
                100);

        RoutingDecision byDomain = router.route(request("loans", ChatMessage.user("x")));
        RoutingDecision bySpecialist = router.route(request("cards-slm", ChatMessage.user("x")));
        RoutingDecision byLargeModel = router.route(request("cloud", ChatMessage.user("x")));

        assertThat(byDomain.target()).hasToString("specialist:loans-slm");
        assertThat(byDomain.reason()).isEqualTo(Reason.FORCED);
        assertThat(byDomain.plan()).hasSize(1);
        assertThat(bySpecialist.route()).isEqualTo("cards");
        assertThat(byLargeModel.target()).hasToString("large:cloud");
        assertThat(byLargeModel.escalate()).isTrue();
    }

    @Test
    void should_reject_the_model_when_it_names_nothing_in_the_policy() {
        Router router = routerScoring(Map.of(), false);

        assertThatThrownBy(() -> router.route(request("gpt-9", ChatMessage.user("x"))))
                .isInstanceOf(UnknownModelException.class)
                .hasMessageContaining("'gpt-9'");
    }

    @Test
    void should_keep_a_request_local_when_any_user_turn_passes_a_local_only_domain_residency_threshold() {
        // given: loans is local-only from 0.3; the conversation as a whole escalates for low confidence
        Router router = localOnlyLoans("mortgage");

        // when
        RoutingDecision decision = router.route(request(
                "auto",
                ChatMessage.user("my mortgage statement"),
                ChatMessage.assistant("ok"),
                ChatMessage.user("and something else")));

        // then
        assertThat(decision.localOnly()).isTrue();
        assertThat(decision.localOnlyReason()).contains("messages[0]", "'loans'", "0.35 >= 0.30");
        assertThat(decision.escalate()).isFalse();
        assertThat(decision.route()).isEqualTo("loans");
        assertThat(decision.target()).hasToString("specialist:loans-slm");
        assertThat(decision.reason()).isEqualTo(Reason.LOW_CONFIDENCE);
        assertThat(decision.plan()).noneMatch(attempt -> attempt.target().kind() == RoutingDecision.Target.Kind.LARGE);
    }

    @Test
    void should_keep_a_request_local_when_the_sensitive_text_sits_in_a_system_message() {
        Router router = localOnlyLoans("HbA1c");

        RoutingDecision decision = router.route(request(
                "auto",
                ChatMessage.system("the patient note says diabetes type 2 with HbA1c 8.1"),
                ChatMessage.user("What is the capital of France and why is Paris famous?")));

        assertThat(decision.localOnly()).isTrue();
        assertThat(decision.localOnlyReason()).contains("messages[0]");
        assertThat(decision.escalate()).isFalse();
    }

    @Test
    void should_keep_a_request_local_whatever_part_of_it_carries_the_sensitive_text() {
        Router router = localOnlyLoans("SECRET-NOTE");
        List<String> carriers = List.of(
                """
                {"role":"developer","content":[{"type":"text","text":"SECRET-NOTE"}]}""",
                """
                {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",
                  "function":{"name":"lookup","arguments":"{\\"q\\":\\"SECRET-NOTE\\"}"}}]}""",
                """
                {"role":"tool","tool_call_id":"c1","content":"SECRET-NOTE"}""",
                """
                {"role":"assistant","content":"fine","future_field":"SECRET-NOTE"}""");
        for (String carrier : carriers) {
            RoutingDecision decision = router.route(WireJson.MAPPER.readValue(
                    "{\"model\":\"auto\",\"messages\":[" + carrier + ",{\"role\":\"user\",\"content\":\"hello\"}]}",
                    ChatCompletionRequest.class));
            assertThat(decision.localOnly()).as(carrier).isTrue();
        }
        RoutingDecision inTools = router.route(WireJson.MAPPER.readValue(
                """
                {"model":"auto","messages":[{"role":"user","content":"hello"}],
                 "tools":[{"type":"function","function":{"name":"f","description":"SECRET-NOTE"}}]}""",
                ChatCompletionRequest.class));
        assertThat(inTools.localOnly()).isTrue();
        assertThat(inTools.localOnlyReason()).contains("a field other than messages");
    }

    @Test
    void should_keep_a_request_local_when_it_carries_an_image_the_router_cannot_judge() {
        Router router = localOnlyLoans("never");

        RoutingDecision decision = router.route(WireJson.MAPPER.readValue(
                """
                {"model":"auto","messages":[{"role":"user","content":[{"type":"text","text":"what is this"},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}""",
                ChatCompletionRequest.class));

        assertThat(decision.localOnly()).isTrue();
        assertThat(decision.localOnlyReason()).contains("image");
    }

    @Test
    void should_let_a_request_escalate_when_no_text_reaches_the_residency_threshold() {
        Router router = localOnlyLoans("never");

        RoutingDecision decision = router.route(request("auto", ChatMessage.system("be kind"), ChatMessage.user("x")));

        assertThat(decision.localOnly()).isFalse();
        assertThat(decision.target()).hasToString("large:cloud");
    }

    @Test
    void should_refuse_a_request_with_more_texts_than_the_residency_check_judges() {
        Router router = new Router(
                withLocalOnlyLoans(0.3),
                conversation -> new DomainClassifier.Classification(Map.of("cards", 0.2, "loans", 0.1), false),
                Set.of("auto"),
                3);

        assertThatThrownBy(() -> router.route(request(
                        "auto",
                        ChatMessage.user("one"),
                        ChatMessage.user("two"),
                        ChatMessage.user("three"),
                        ChatMessage.user("four"))))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_OVER_LIMIT);
                    assertThat(e).hasMessageContaining("router.limits.max-judged-texts");
                });
        assertThat(router.route(request(
                                "auto", ChatMessage.user("same"), ChatMessage.user("same"), ChatMessage.user("other")))
                        .localOnly())
                .isFalse();
    }

    @Test
    void should_judge_a_long_text_in_windows_so_that_a_note_deep_inside_it_is_not_diluted() {
        Router router = localOnlyLoans("mortgage");
        String longText = "lorem ipsum ".repeat(400) + "my mortgage statement " + "dolor sit ".repeat(400);

        RoutingDecision decision = router.route(request("auto", ChatMessage.user(longText)));

        assertThat(decision.localOnly()).isTrue();
        assertThat(Residency.split(longText))
                .allSatisfy(window -> assertThat(window.length()).isLessThanOrEqualTo(Residency.WINDOW));
    }

    @Test
    void should_keep_a_request_local_when_its_specialist_is_local_only_even_if_it_would_escalate_after() {
        Policy.Specialist localOnly = new Policy.Specialist(
                SLM.provider(),
                SLM.baseUrl(),
                SLM.model(),
                null,
                null,
                List.of(),
                SLM.timeout(),
                null,
                SLM.resilience(),
                Policy.Residency.LOCAL_ONLY,
                null,
                null);
        Policy policy = new Policy(
                POLICY.name(),
                POLICY.classifier(),
                POLICY.domains(),
                Map.of("cards-slm", localOnly, "loans-slm", SLM),
                POLICY.escalation(),
                POLICY.largeModels());
        Router router = new Router(
                policy, c -> new DomainClassifier.Classification(Map.of("cards", 0.9), false), Set.of("auto"), 100);

        RoutingDecision decision = router.route(request("auto", ChatMessage.user("x")));

        assertThat(decision.localOnlyReason()).isEqualTo("specialist 'cards-slm' is local-only");
        assertThat(decision.plan())
                .extracting(attempt -> attempt.target().toString())
                .containsExactly("specialist:cards-slm");
    }

    @Test
    void should_mark_a_forced_large_model_local_only_when_the_policy_is_local_only() {
        Policy tenant = new Policy(
                POLICY.name(),
                POLICY.classifier(),
                POLICY.domains(),
                POLICY.specialists(),
                POLICY.escalation(),
                POLICY.largeModels(),
                Policy.Residency.LOCAL_ONLY,
                Policy.Privacy.DEFAULTS,
                null,
                Policy.Cache.DEFAULTS,
                null);
        Router router = new Router(
                tenant, c -> new DomainClassifier.Classification(Map.of("cards", 0.9), false), Set.of("auto"), 100);

        RoutingDecision forced = router.route(request("cloud", ChatMessage.user("x")));
        RoutingDecision auto = router.route(request("auto", ChatMessage.user("x")));

        assertThat(forced.target()).hasToString("large:cloud");
        assertThat(forced.localOnlyReason()).isEqualTo("policy 'bank' is local-only");
        assertThat(forced.plan()).hasSize(1);
        assertThat(auto.localOnly()).isTrue();
        assertThat(auto.target()).hasToString("specialist:cards-slm");
        assertThat(auto.plan())
                .extracting(attempt -> attempt.target().toString())
                .containsExactly("specialist:cards-slm", "specialist:loans-slm");
    }

    /**
     * Loans local-only from 0.3. A text judged alone scores 0.35 for loans when it holds the marker; the
     * conversation as a whole scores low everywhere, so it would escalate.
     */
    private static Router localOnlyLoans(String marker) {
        return new Router(
                withLocalOnlyLoans(0.3),
                conversation -> {
                    boolean alone = conversation.size() == 1;
                    String text = conversation.get(conversation.size() - 1).text();
                    return new DomainClassifier.Classification(
                            alone && text.contains(marker)
                                    ? Map.of("cards", 0.0, "loans", 0.35)
                                    : Map.of("cards", 0.2, "loans", 0.1),
                            false);
                },
                Set.of("auto"),
                100);
    }

    private static Router routerScoring(Map<String, Double> scores, boolean outOfScope) {
        return new Router(POLICY, c -> new DomainClassifier.Classification(scores, outOfScope), Set.of("auto"), 100);
    }

    private static ChatCompletionRequest request(String model, ChatMessage... messages) {
        return ChatCompletionRequest.of(model, List.of(messages));
    }

    private static Policy withLocalOnlyLoans(double residencyThreshold) {
        var loans = new Policy.Domain(
                "loans",
                "",
                "loans-slm",
                0.8,
                List.of("mortgage rates"),
                Policy.Residency.LOCAL_ONLY,
                residencyThreshold,
                false);
        return new Policy(
                POLICY.name(),
                POLICY.classifier(),
                List.of(POLICY.domains().get(0), loans),
                Map.of("cards-slm", SLM, "loans-slm", SLM),
                POLICY.escalation(),
                POLICY.largeModels());
    }

    private static Policy.Specialist specialist(String fallback) {
        return new Policy.Specialist(
                Policy.SpecialistProvider.OPENAI_COMPATIBLE,
                "http://localhost:8000/v1",
                "qwen",
                null,
                null,
                List.of(),
                Duration.ofSeconds(30),
                fallback,
                Policy.Resilience.DEFAULTS,
                Policy.Residency.ANY,
                null,
                null);
    }

    private static Policy.LargeModel largeModel() {
        return new Policy.LargeModel(
                Policy.LargeModelProvider.OPENAI,
                "gpt-4o-mini",
                null,
                "KEY",
                null,
                Duration.ofSeconds(60),
                Policy.Resilience.DEFAULTS,
                null);
    }
}
