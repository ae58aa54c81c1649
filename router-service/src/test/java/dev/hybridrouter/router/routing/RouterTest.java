package dev.hybridrouter.router.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.routing.RoutingDecision.Reason;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouterTest {

    private static final Policy.Specialist SLM = new Policy.Specialist(
            Policy.SpecialistProvider.OPENAI_COMPATIBLE,
            "http://localhost:8000/v1",
            "qwen",
            null,
            null,
            List.of(),
            Duration.ofSeconds(30),
            null,
            Policy.Resilience.DEFAULTS);
    private static final Policy POLICY = new Policy(
            "bank",
            new Policy.Classifier("all-minilm-l6-v2-q", 0.55),
            List.of(
                    new Policy.Domain("cards", "", "cards-slm", null, List.of("block my card")),
                    new Policy.Domain("loans", "", "loans-slm", 0.8, List.of("mortgage rates"))),
            Map.of("cards-slm", SLM, "loans-slm", SLM),
            new Policy.Escalation(
                    "cloud", List.of(), Policy.OnUnavailable.LOCAL, Policy.OnSpecialistUnavailable.ESCALATE),
            Map.of(
                    "cloud",
                    new Policy.LargeModel(
                            Policy.LargeModelProvider.OPENAI,
                            "gpt-4o-mini",
                            null,
                            "KEY",
                            null,
                            Duration.ofSeconds(60),
                            Policy.Resilience.DEFAULTS)));

    @Test
    void should_route_to_the_best_domain_when_its_confidence_passes_the_default_threshold() {
        Router router = routerScoring(Map.of("cards", 0.70, "loans", 0.20), false);

        RoutingDecision decision = router.route("auto", List.of(UserMessage.from("x")));

        assertThat(decision.route()).isEqualTo("cards");
        assertThat(decision.target()).hasToString("specialist:cards-slm");
        assertThat(decision.escalate()).isFalse();
        assertThat(decision.reason()).isEqualTo(Reason.CONFIDENT);
        assertThat(decision.confidence()).isEqualTo(0.70);
        assertThat(decision.scores()).containsEntry("loans", 0.20);
    }

    @Test
    void should_escalate_for_low_confidence_when_the_domain_threshold_is_not_met() {
        Router router = routerScoring(Map.of("cards", 0.10, "loans", 0.75), false);

        RoutingDecision decision = router.route("auto", List.of(UserMessage.from("x")));

        assertThat(decision.route()).isEqualTo("loans");
        assertThat(decision.target()).hasToString("large:cloud");
        assertThat(decision.escalate()).isTrue();
        assertThat(decision.reason()).isEqualTo(Reason.LOW_CONFIDENCE);
    }

    @Test
    void should_escalate_as_out_of_scope_when_the_classifier_says_so_whatever_the_scores() {
        Router router = routerScoring(Map.of("cards", 0.99, "loans", 0.0), true);

        RoutingDecision decision = router.route(null, List.of(UserMessage.from("x")));

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
                local, c -> new DomainClassifier.Classification(Map.of("cards", 0.1), false), Set.of("auto"));

        RoutingDecision decision = router.route("auto", List.of(UserMessage.from("x")));

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
                Set.of("auto"));

        RoutingDecision byDomain = router.route("loans", List.of(UserMessage.from("x")));
        RoutingDecision bySpecialist = router.route("cards-slm", List.of(UserMessage.from("x")));
        RoutingDecision byLargeModel = router.route("cloud", List.of(UserMessage.from("x")));

        assertThat(byDomain.target()).hasToString("specialist:loans-slm");
        assertThat(byDomain.reason()).isEqualTo(Reason.FORCED);
        assertThat(bySpecialist.route()).isEqualTo("cards");
        assertThat(byLargeModel.target()).hasToString("large:cloud");
        assertThat(byLargeModel.escalate()).isTrue();
    }

    @Test
    void should_reject_the_model_when_it_names_nothing_in_the_policy() {
        Router router = routerScoring(Map.of(), false);

        assertThatThrownBy(() -> router.route("gpt-9", List.of(UserMessage.from("x"))))
                .isInstanceOf(UnknownModelException.class)
                .hasMessageContaining("'gpt-9'");
    }

    private static Router routerScoring(Map<String, Double> scores, boolean outOfScope) {
        return new Router(POLICY, c -> new DomainClassifier.Classification(scores, outOfScope), Set.of("auto"));
    }

    @Test
    void should_keep_a_request_local_when_any_user_turn_passes_a_local_only_domain_residency_threshold() {
        // given: loans is local-only from 0.3; the conversation as a whole escalates for low confidence
        Router router = new Router(
                withLocalOnlyLoans(0.3),
                conversation -> {
                    String text = ((UserMessage) conversation.get(conversation.size() - 1)).singleText();
                    boolean whole = conversation.size() > 1;
                    return new DomainClassifier.Classification(
                            whole
                                    ? Map.of("cards", 0.2, "loans", 0.1)
                                    : Map.of("loans", text.contains("mortgage") ? 0.35 : 0.0),
                            false);
                },
                Set.of("auto"));

        // when
        RoutingDecision decision = router.route(
                "auto",
                List.of(
                        UserMessage.from("my mortgage statement"),
                        AiMessage.from("ok"),
                        UserMessage.from("and something else")));

        // then
        assertThat(decision.localOnly()).isTrue();
        assertThat(decision.localOnlyReason()).contains("message 1", "'loans'", "0.35 >= 0.30");
        assertThat(decision.escalate()).isFalse();
        assertThat(decision.route()).isEqualTo("loans");
        assertThat(decision.target()).hasToString("specialist:loans-slm");
        assertThat(decision.reason()).isEqualTo(Reason.LOW_CONFIDENCE);
    }

    @Test
    void should_let_a_request_escalate_when_no_turn_reaches_the_residency_threshold() {
        Router router = new Router(
                withLocalOnlyLoans(0.3),
                conversation -> new DomainClassifier.Classification(Map.of("cards", 0.2, "loans", 0.29), false),
                Set.of("auto"));

        RoutingDecision decision = router.route("auto", List.of(UserMessage.from("x")));

        assertThat(decision.localOnly()).isFalse();
        assertThat(decision.target()).hasToString("large:cloud");
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
                null);
        Router router = new Router(
                tenant, c -> new DomainClassifier.Classification(Map.of("cards", 0.9), false), Set.of("auto"));

        RoutingDecision forced = router.route("cloud", List.of(UserMessage.from("x")));
        RoutingDecision auto = router.route("auto", List.of(UserMessage.from("x")));

        assertThat(forced.target()).hasToString("large:cloud");
        assertThat(forced.localOnlyReason()).isEqualTo("policy 'bank' is local-only");
        assertThat(auto.localOnly()).isTrue();
        assertThat(auto.target()).hasToString("specialist:cards-slm");
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
                POLICY.specialists(),
                POLICY.escalation(),
                POLICY.largeModels());
    }
}
