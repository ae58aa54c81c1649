package dev.hybridrouter.helm;

import static dev.hybridrouter.helm.ChartRender.FULLNAME;
import static dev.hybridrouter.helm.ChartRender.chart;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

    private static Container router(Manifests manifests) {
        return manifests
                .get(Deployment.class, FULLNAME)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
    }

    @Test
    void should_expose_every_key_of_the_secret_when_only_an_existing_secret_is_named() {
        // given
        ChartRender render = chart().set("existingSecret", "hybrid-router-api-keys");

        // when
        Container router = router(render.render());

        // then
        assertThat(router.getEnvFrom()).singleElement().satisfies(source -> {
            assertThat(source.getSecretRef().getName()).isEqualTo("hybrid-router-api-keys");
            assertThat(source.getSecretRef().getOptional()).isNull();
        });
        assertThat(router.getEnv()).noneMatch(e -> e.getValueFrom() != null);
    }

    @Test
    void should_expose_only_the_listed_keys_when_existing_secret_keys_are_given() {
        // given
        ChartRender render = chart().ciValues("existing-secret-configmap-values.yaml");

        // when
        Container router = router(render.render());

        // then
        assertThat(router.getEnvFrom()).isEmpty();
        assertThat(router.getEnv())
                .filteredOn(e -> e.getValueFrom() != null)
                .extracting(
                        EnvVar::getName,
                        e -> e.getValueFrom().getSecretKeyRef().getName(),
                        e -> e.getValueFrom().getSecretKeyRef().getKey())
                .containsExactly(
                        tuple("OPENAI_API_KEY", "llm-provider-keys", "OPENAI_API_KEY"),
                        tuple("ANTHROPIC_API_KEY", "llm-provider-keys", "ANTHROPIC_API_KEY"));
    }

    @Test
    void should_wire_no_secret_when_no_existing_secret_is_named() {
        // given
        ChartRender render = chart();

        // when
        Container router = router(render.render());

        // then
        assertThat(router.getEnvFrom()).isEmpty();
        assertThat(router.getEnv()).noneMatch(e -> e.getValueFrom() != null);
    }

    @Test
    void should_fail_with_a_clear_message_when_keys_are_listed_without_a_secret() {
        // given
        ChartRender render =
                chart().values("""
                existingSecretKeys: [OPENAI_API_KEY]
                """);

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("existingSecretKeys is set but existingSecret is empty");
    }
}
