package dev.hybridrouter.helm;

import static dev.hybridrouter.helm.ChartRender.chart;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Bad values are rejected before anything renders: by values.schema.json (Helm's message names the
 * JSON pointer of the bad value), or by the chart's own checks for what a schema cannot say clearly.
 */
class ValuesSchemaTest {

    @Test
    void should_reject_the_values_when_a_top_level_key_is_misspelt() {
        // given
        ChartRender render = chart().values("""
                replicaCont: 3
                """);

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining("additional properties 'replicaCont' not allowed");
    }

    @Test
    void should_reject_the_values_when_a_nested_key_is_misspelt() {
        // given
        ChartRender render =
                chart().values("""
                autoscaling:
                  enable: true
                """);

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/autoscaling")
                .hasMessageContaining("additional properties 'enable' not allowed");
    }

    @Test
    void should_reject_the_values_when_an_slm_server_engine_is_not_supported() {
        // given
        ChartRender render = chart().values(
                        """
                slmServers:
                  - name: general
                    engine: llamacpp
                    model: qwen2.5-1.5b-instruct-q4_k_m.gguf
                """);

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/slmServers/0/engine")
                .hasMessageContaining("value must be one of 'ollama', 'vllm'");
    }

    @Test
    void should_reject_the_values_when_the_image_pull_policy_is_not_a_kubernetes_one() {
        // given
        ChartRender render = chart().set("image.pullPolicy", "Sometimes");

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/image/pullPolicy")
                .hasMessageContaining("value must be one of 'Always', 'IfNotPresent', 'Never'");
    }

    @Test
    void should_reject_the_values_when_an_slm_server_has_no_model() {
        // given
        ChartRender render = chart().values(
                        """
                slmServers:
                  - name: general
                    engine: ollama
                """);

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/slmServers/0")
                .hasMessageContaining("missing property 'model'");
    }

    @Test
    void should_reject_the_values_when_a_policy_file_name_is_not_yaml() {
        // given
        ChartRender render = chart().values(
                        """
                policies:
                  files:
                    notes.txt: hello
                """);

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/policies/files")
                .hasMessageContaining("additional properties 'notes.txt' not allowed");
    }

    @Test
    void should_reject_the_values_when_an_api_key_is_put_in_values() {
        // given a user who tries to pass the key itself instead of naming a Secret
        ChartRender render = chart().values("""
                openaiApiKey: sk-not-here
                """);

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("additional properties 'openaiApiKey' not allowed");
    }

    @Test
    void should_reject_the_values_when_two_slm_servers_share_a_name() {
        // given
        ChartRender render = chart().values(
                        """
                slmServers:
                  - {name: general, engine: ollama, model: qwen2.5:1.5b-instruct}
                  - {name: general, engine: vllm, model: Qwen/Qwen2.5-1.5B-Instruct}
                """);

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("slmServers: the name \"general\" is used twice");
    }

    @Test
    void should_reject_the_values_when_a_models_key_is_misspelt() {
        // given
        ChartRender render = chart().values(
                        """
                models:
                  persistance:
                    existingClaim: router-models
                """);

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/models")
                .hasMessageContaining("additional properties 'persistance' not allowed");
    }

    @Test
    void should_reject_the_values_when_the_model_cache_dir_is_not_absolute() {
        // given
        ChartRender render = chart().set("models.cacheDir", "models");

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/models/cacheDir");
    }

    @Test
    void should_reject_the_values_when_the_model_cache_dir_is_a_directory_the_chart_already_mounts() {
        // given
        ChartRender render = chart().set("models.cacheDir", "/tmp/");

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("models.cacheDir \"/tmp/\" is already mounted (for /tmp or the policies)");
    }

    @Test
    void should_reject_the_values_when_a_pod_disruption_budget_sets_both_bounds() {
        // given
        ChartRender render = chart().values(
                        """
                podDisruptionBudget:
                  minAvailable: 1
                  maxUnavailable: 1
                """);

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("podDisruptionBudget: set minAvailable or maxUnavailable, not both");
    }
}
