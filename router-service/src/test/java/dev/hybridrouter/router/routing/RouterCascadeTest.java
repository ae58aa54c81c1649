package dev.hybridrouter.router.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.routing.RoutingDecision.Reason;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which decisions plan the cascade's try of the domain's specialist before the large models. */
class RouterCascadeTest {

    private static final Policy.Cascade PREFIX =
            new Policy.Cascade(List.of(0.3, 0.55), 0.4, Policy.CascadeStream.PREFIX, 8);

    @Test
    void should_try_the_specialist_first_when_a_low_confidence_request_falls_in_the_band() {
        // given
        Router router = router(PREFIX, 0.3, false, Policy.Residency.ANY);

        // when
        RoutingDecision decision = router.route(whole("auto"));

        // then
        assertThat(decision.cascades()).isTrue();
        assertThat(decision.reason()).isEqualTo(Reason.LOW_CONFIDENCE);
        assertThat(decision.target()).isEqualTo(Target.large("cloud"));
        assertThat(decision.plan())
                .containsExactly(
                        Attempt.cascade(Target.specialist("cards-slm")),
                        Attempt.of(Target.large("cloud")),
                        new Attempt(Target.specialist("cards-slm"), Router.LARGE_MODELS_UNAVAILABLE));
    }

    @Test
    void should_route_as_usual_when_the_confidence_is_below_the_band_or_confident() {
        // when
        RoutingDecision below =
                router(PREFIX, 0.2999, false, Policy.Residency.ANY).route(whole("auto"));
        RoutingDecision confident =
                router(PREFIX, 0.55, false, Policy.Residency.ANY).route(whole("auto"));

        // then
        assertThat(below.cascades()).isFalse();
        assertThat(below.target()).isEqualTo(Target.large("cloud"));
        assertThat(confident.cascades()).isFalse();
        assertThat(confident.target()).isEqualTo(Target.specialist("cards-slm"));
    }

    @Test
    void should_not_cascade_an_out_of_scope_a_forced_or_a_local_only_request() {
        // when
        RoutingDecision outOfScope =
                router(PREFIX, 0.4, true, Policy.Residency.ANY).route(whole("auto"));
        RoutingDecision forced =
                router(PREFIX, 0.4, false, Policy.Residency.ANY).route(whole("cloud"));
        RoutingDecision localOnly =
                router(PREFIX, 0.4, false, Policy.Residency.LOCAL_ONLY).route(whole("auto"));

        // then
        assertThat(outOfScope.cascades()).isFalse();
        assertThat(forced.cascades()).isFalse();
        assertThat(localOnly.cascades()).isFalse();
        assertThat(localOnly.plan()).extracting(Attempt::target).containsExactly(Target.specialist("cards-slm"));
    }

    @Test
    void should_cascade_a_stream_with_prefix_and_route_it_as_usual_with_skip() {
        // given
        Policy.Cascade skip = new Policy.Cascade(List.of(0.3, 0.55), 0.4, Policy.CascadeStream.SKIP, 8);

        // when
        RoutingDecision prefixed =
                router(PREFIX, 0.4, false, Policy.Residency.ANY).route(streamed());
        RoutingDecision skipped = router(skip, 0.4, false, Policy.Residency.ANY).route(streamed());
        RoutingDecision skipWhole =
                router(skip, 0.4, false, Policy.Residency.ANY).route(whole("auto"));

        // then
        assertThat(prefixed.cascades()).isTrue();
        assertThat(skipped.cascades()).isFalse();
        assertThat(skipped.target()).isEqualTo(Target.large("cloud"));
        assertThat(skipWhole.cascades()).isTrue();
    }

    private static Router router(
            Policy.Cascade cascade, double confidence, boolean outOfScope, Policy.Residency residency) {
        Policy policy = new Policy(
                "bank",
                new Policy.Classifier("all-minilm-l6-v2-q", 0.55, List.of(), null),
                List.of(new Policy.Domain(
                        "cards",
                        "",
                        "cards-slm",
                        null,
                        List.of("block my card"),
                        Policy.Residency.ANY,
                        null,
                        false,
                        cascade)),
                Map.of("cards-slm", specialist()),
                new Policy.Escalation(
                        "cloud", List.of(), Policy.OnUnavailable.LOCAL, Policy.OnSpecialistUnavailable.ESCALATE),
                Map.of("cloud", largeModel()),
                residency,
                Policy.Privacy.DEFAULTS,
                null,
                Policy.Cache.DEFAULTS,
                null);
        return new Router(
                policy,
                conversation -> new DomainClassifier.Classification(Map.of("cards", confidence), outOfScope),
                Set.of("auto"),
                100);
    }

    private static ChatCompletionRequest whole(String model) {
        return ChatCompletionRequest.of(model, List.of(ChatMessage.user("was I charged twice?")));
    }

    private static ChatCompletionRequest streamed() {
        return WireJson.MAPPER.readValue(
                """
                {"model":"auto","stream":true,"messages":[{"role":"user","content":"was I charged twice?"}]}""",
                ChatCompletionRequest.class);
    }

    private static Policy.Specialist specialist() {
        return new Policy.Specialist(
                Policy.SpecialistProvider.OPENAI_COMPATIBLE,
                "http://localhost:8000/v1",
                "qwen",
                null,
                null,
                List.of(),
                Duration.ofSeconds(30),
                null,
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
