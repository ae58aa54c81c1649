package dev.hybridrouter.helm;

import static dev.hybridrouter.helm.ChartRender.chart;
import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ChartLintTest {

    @Test
    void should_pass_strict_lint_when_values_are_the_defaults() {
        // given
        Helm helm = new Helm(ChartRender.chartDir());

        // when
        LintResult result = helm.lint().strict().call();

        // then
        assertThat(result.isFailed())
                .as("lint messages: %s", result.getMessages())
                .isFalse();
        assertThat(result.getMessages()).noneMatch(message -> message.contains("[ERROR]"));
    }

    static Stream<String> ciValueSets() throws IOException {
        try (Stream<Path> files = Files.list(ChartRender.chartDir().resolve("ci"))) {
            return files
                    .map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith("-values.yaml"))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @ParameterizedTest
    @MethodSource("ciValueSets")
    void should_render_a_router_deployment_and_service_when_given_a_ci_value_set(String valueSet) {
        // given
        ChartRender render = chart().ciValues(valueSet);

        // when
        Manifests manifests = render.render();

        // then
        assertThat(manifests.ofKind("Deployment"))
                .extracting(r -> r.getMetadata().getName())
                .contains(ChartRender.FULLNAME);
        assertThat(manifests.ofKind("Service"))
                .extracting(r -> r.getMetadata().getName())
                .contains(ChartRender.FULLNAME);
    }

    @Test
    void should_find_the_ci_value_sets_when_listing_the_ci_directory() throws IOException {
        // given the value sets the other tests and chart-testing rely on
        List<String> expected = List.of(
                "autoscaling-values.yaml",
                "default-values.yaml",
                "existing-secret-configmap-values.yaml",
                "in-process-values.yaml",
                "ingress-monitoring-pdb-values.yaml",
                "redis-dashboard-values.yaml",
                "slm-servers-values.yaml");

        // when
        List<String> found = ciValueSets().toList();

        // then
        assertThat(found).containsAll(expected);
    }

    @Test
    void should_cut_every_name_to_63_characters_when_the_release_name_is_long() {
        // given the longest release name Helm accepts (53 characters)
        String longRelease = "team-alpha-production-llm-router-europe-west-one-blue";
        assertThat(longRelease).hasSize(53);

        // when
        Manifests manifests = chart().releaseName(longRelease)
                .ciValues("slm-servers-values.yaml")
                .ciValues("redis-dashboard-values.yaml")
                .render();

        // then
        assertThat(manifests.resources()).extracting(HasMetadata::getMetadata).allSatisfy(metadata -> assertThat(
                        metadata.getName())
                .hasSizeLessThanOrEqualTo(63)
                .doesNotEndWith("-"));
        assertThat(manifests.ofKind("Deployment")).hasSize(4);
    }
}
