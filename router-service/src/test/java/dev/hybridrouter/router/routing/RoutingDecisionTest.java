package dev.hybridrouter.router.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.router.routing.RoutingDecision.Reason;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RoutingDecisionTest {

    @ParameterizedTest
    @CsvSource({"0.87314, 0.8731", "1.0, 1.0000", "0.0, 0.0000", "0.00005, 0.0001", "0.123449, 0.1234"})
    void should_show_the_confidence_with_four_decimals(double confidence, String text) {
        // given
        Target slm = Target.specialist("slm");
        RoutingDecision decision = new RoutingDecision(
                "cards", slm, confidence, Reason.CONFIDENT, Map.of(), null, List.of(Attempt.of(slm)));

        // when / then
        assertThat(decision.confidenceText()).isEqualTo(text);
    }
}
