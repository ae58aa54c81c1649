package dev.hybridrouter.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybridrouter.helm.PromQlReferences.LabelMatcher;
import dev.hybridrouter.helm.PromQlReferences.Selector;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromQlReferencesTest {

    @Test
    void should_find_series_matchers_grouping_labels_and_variables_when_reading_an_expression() {
        // given
        String expression =
                """
                histogram_quantile(0.99, sum by (target, le) (rate(router_upstream_seconds_bucket{stream="true"}[$__rate_interval])))
                / on (target) group_left (policy) max without (pod) (router_cost_estimated_total{policy=~"$policy", tenant!="a|b"}) * 3600
                + sum(up) by (job) or vector(0) offset 5m
                """;

        // when
        PromQlReferences references = PromQlReferences.of(expression);

        // then
        assertThat(references.selectors())
                .containsExactly(
                        new Selector(
                                "router_upstream_seconds_bucket", List.of(new LabelMatcher("stream", "=", "true"))),
                        new Selector(
                                "router_cost_estimated_total",
                                List.of(
                                        new LabelMatcher("policy", "=~", "$policy"),
                                        new LabelMatcher("tenant", "!=", "a|b"))),
                        new Selector("up", List.of()));
        assertThat(references.groupingLabels()).containsExactlyInAnyOrder("target", "le", "policy", "pod", "job");
        assertThat(references.variables()).containsExactlyInAnyOrder("__rate_interval", "policy");
    }

    @Test
    void should_refuse_an_expression_it_cannot_read() {
        assertThatThrownBy(() -> PromQlReferences.of("sum(rate(router_requests_total{tenant=~\"a\"[5m]))"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PromQlReferences.of("rate(router_requests_total[5m)"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PromQlReferences.of("{__name__=\"router_requests_total\"}"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
