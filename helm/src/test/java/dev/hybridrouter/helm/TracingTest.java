package dev.hybridrouter.helm;

import static dev.hybridrouter.helm.ChartRender.FULLNAME;
import static dev.hybridrouter.helm.ChartRender.chart;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** OpenTelemetry traces: sent to the collector the values name, none by default, sampled as they say. */
class TracingTest {

    @Test
    void should_send_spans_to_the_otlp_endpoint_at_the_sampling_probability_given() {
        // when
        Manifests manifests = chart().values(
                        """
                tracing:
                  otlpEndpoint: http://otel-collector.observability:4318/v1/traces
                  samplingProbability: 0.25
                """)
                .render();

        // then
        Container router = router(manifests);
        assertThat(env(router, "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT"))
                .hasValue("http://otel-collector.observability:4318/v1/traces");
        assertThat(env(router, "MANAGEMENT_TRACING_SAMPLING_PROBABILITY")).hasValue("0.25");
    }

    @Test
    void should_export_no_span_and_sample_a_tenth_of_new_traces_by_default() {
        // when
        Container router = router(chart().render());

        // then
        assertThat(env(router, "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT"))
                .isEmpty();
        assertThat(env(router, "MANAGEMENT_TRACING_SAMPLING_PROBABILITY")).hasValue("0.1");
    }

    @Test
    void should_refuse_an_endpoint_that_is_not_http_and_a_probability_above_one() {
        assertThatThrownBy(() -> chart().values("tracing: {otlpEndpoint: otel-collector:4317}")
                        .render())
                .hasMessageContaining("/tracing/otlpEndpoint");
        assertThatThrownBy(() ->
                        chart().values("tracing: {samplingProbability: 10}").render())
                .hasMessageContaining("/tracing/samplingProbability");
    }

    private static Container router(Manifests manifests) {
        return manifests.get(Deployment.class, FULLNAME).getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("router"))
                .findFirst()
                .orElseThrow();
    }

    private static Optional<String> env(Container container, String name) {
        return container.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .map(EnvVar::getValue)
                .findFirst();
    }
}
