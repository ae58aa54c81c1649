package dev.hybridrouter.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicySetTest {

    @Test
    void should_pick_policy_named_default_when_there_are_several() {
        // given
        PolicySet policies = set("bank", "default", "legal");

        // when
        Policy chosen = policies.defaultPolicy();

        // then
        assertThat(chosen.name()).isEqualTo("default");
    }

    @Test
    void should_pick_the_only_policy_when_there_is_one() {
        // given
        PolicySet policies = set("bank");

        // when
        Policy chosen = policies.defaultPolicy();

        // then
        assertThat(chosen.name()).isEqualTo("bank");
    }

    @Test
    void should_explain_how_to_choose_when_several_policies_and_none_is_default() {
        // given
        PolicySet policies = set("bank", "legal");

        // when
        PolicyException error = catchThrowableOfType(PolicyException.class, policies::defaultPolicy);

        // then
        assertThat(error)
                .hasMessage(
                        "/etc/policies: has 2 policies (bank, legal) and none is named 'default'; name one of them 'default' to make it the default");
    }

    private static PolicySet set(String... names) {
        Map<String, Policy> policies = new LinkedHashMap<>();
        for (String name : names) {
            policies.put(
                    name,
                    new Policy(
                            name,
                            new Policy.Classifier("all-minilm-l6-v2-q", 0.55, List.of(), null),
                            List.of(),
                            Map.of(),
                            Policy.Escalation.NONE,
                            Map.of()));
        }
        return new PolicySet("/etc/policies", policies);
    }
}
