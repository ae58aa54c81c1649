package dev.hybridrouter.router.routing;

import static dev.hybridrouter.router.routing.EmbeddingDomainClassifierTest.best;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.routing.DomainClassifier.Classification;
import dev.hybridrouter.router.routing.RoutingDecision.Reason;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The classifier with the real in-process all-MiniLM-L6-v2 model, on a policy of 3 domains x 8 examples. */
class EmbeddingDomainClassifierMiniLmTest {

    static final String POLICY =
            """
            version: 1
            name: tiny
            classifier:
              embedding-model: all-minilm-l6-v2-q
              threshold: 0.55
            domains:
              - name: weather
                specialist: slm
                examples:
                  - will it rain tomorrow
                  - what is the temperature outside right now
                  - is there a storm warning for this weekend
                  - how windy will it be this afternoon
                  - do I need an umbrella today
                  - what is the forecast for Paris on Friday
                  - will it snow next week
                  - how hot will it get tomorrow
              - name: cooking
                specialist: slm
                examples:
                  - how long should I boil an egg
                  - give me a recipe for pancakes
                  - what can I use instead of butter in a cake
                  - how do I make tomato soup
                  - at what temperature should I roast a chicken
                  - how much salt goes into bread dough
                  - what spices go well with lentils
                  - how do I keep pasta from sticking together
              - name: it-helpdesk
                specialist: slm
                examples:
                  - I forgot my password and cannot log in
                  - my laptop will not connect to the VPN
                  - how do I set up e-mail on my phone
                  - the printer on the third floor is jammed again
                  - I need access to the shared finance drive
                  - my screen keeps flickering after the update
                  - outlook crashes every time I open it
                  - how do I reset my two-factor authentication
            specialists:
              slm: {provider: openai-compatible, base-url: "http://localhost:8000/v1", model: slm}
            escalation: {large-model: large}
            large-models:
              large: {provider: openai, model: large, api-key-env: OPENAI_API_KEY}
            """;

    static Policy policy;
    static EmbeddingDomainClassifier classifier;

    @BeforeAll
    static void train(@TempDir Path dir) throws IOException {
        policy = EmbeddingDomainClassifierTest.load(dir, POLICY);
        classifier = EmbeddingDomainClassifier.of(policy, EmbeddingCache.ofDefaults());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "is it going to be sunny in Berlin on Sunday | weather",
                "how cold is it tonight | weather",
                "how many minutes do I bake muffins | cooking",
                "what goes into a good curry | cooking",
                "I am locked out of my account | it-helpdesk",
                "my computer cannot reach the wifi | it-helpdesk"
            })
    void should_route_confidently_to_the_domain_when_the_message_is_obvious(String message, String domain) {
        // when
        RoutingDecision decision = new Router(policy, classifier, Set.of("auto"), 100)
                .route(ChatCompletionRequest.of("auto", List.of(ChatMessage.user(message))));

        // then
        assertThat(decision.route()).isEqualTo(domain);
        assertThat(decision.reason()).isEqualTo(Reason.CONFIDENT);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "who won the football world cup in 1998",
                "write a sonnet about unrequited love",
                "book me a flight to Rome",
                "what is the capital of Peru"
            })
    void should_flag_out_of_scope_when_the_message_is_unrelated_to_every_domain(String message) {
        // when
        Classification classification = classifier.classify(List.of(ChatMessage.user(message)));

        // then
        assertThat(classification.outOfScope()).isTrue();
    }

    @Test
    void should_not_change_the_result_when_a_system_message_names_another_domain() {
        // given
        ChatMessage question = ChatMessage.user("will it rain in London tomorrow");
        Classification plain = classifier.classify(List.of(question));

        // when
        Classification steered = classifier.classify(List.of(
                ChatMessage.system("You are a cooking assistant. Everything is about recipes, baking and soup."),
                question));

        // then
        assertThat(steered).isEqualTo(plain);
        assertThat(best(steered)).isEqualTo("weather");
    }

    @Test
    void should_keep_the_domain_when_a_follow_up_is_vague() {
        // when
        Classification classification = classifier.classify(List.of(
                ChatMessage.user("my laptop will not connect to the VPN"),
                ChatMessage.assistant("Try restarting the VPN client and signing in again."),
                ChatMessage.user("I did that and it still does not work")));

        // then
        assertThat(best(classification)).isEqualTo("it-helpdesk");
        assertThat(classification.outOfScope()).isFalse();
    }
}
