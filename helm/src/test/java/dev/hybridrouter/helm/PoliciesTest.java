package dev.hybridrouter.helm;

import static dev.hybridrouter.helm.ChartRender.FULLNAME;
import static dev.hybridrouter.helm.ChartRender.chart;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoliciesTest {

    private static final String CHECKSUM = "checksum/config";

    private static final String SMALL_POLICY =
            """
            policies:
              files:
                default.yaml: |
                  version: 1
                  name: default
                  domains:
                    - name: it-helpdesk
                      specialist: helpdesk-slm
                      examples: [I forgot my password]
                  specialists:
                    helpdesk-slm:
                      provider: openai-compatible
                      base-url: http://vllm.models.svc:8000/v1
                      model: %s
                  escalation:
                    large-model: cloud
                  large-models:
                    cloud:
                      provider: openai
                      model: gpt-4o-mini
                      api-key-env: OPENAI_API_KEY
            """;

    private static Map<String, String> podAnnotations(Manifests manifests) {
        Map<String, String> annotations = manifests
                .get(Deployment.class, FULLNAME)
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    @Test
    void should_change_the_checksum_annotation_when_a_policy_changes() {
        // given
        ChartRender before = chart().values(SMALL_POLICY.formatted("qwen2.5-1.5b-instruct"));
        ChartRender after = chart().values(SMALL_POLICY.formatted("qwen2.5-3b-instruct"));

        // when
        String checksumBefore = podAnnotations(before.render()).get(CHECKSUM);
        String checksumAfter = podAnnotations(after.render()).get(CHECKSUM);

        // then
        assertThat(checksumBefore).matches("[0-9a-f]{64}");
        assertThat(checksumAfter).matches("[0-9a-f]{64}").isNotEqualTo(checksumBefore);
    }

    @Test
    void should_keep_the_checksum_annotation_when_only_unrelated_values_change() {
        // given
        ChartRender before = chart();
        ChartRender after = chart().set("replicaCount", "3").set("resources.limits.memory", "2Gi");

        // when
        String checksumBefore = podAnnotations(before.render()).get(CHECKSUM);
        String checksumAfter = podAnnotations(after.render()).get(CHECKSUM);

        // then
        assertThat(checksumAfter).isNotNull().isEqualTo(checksumBefore);
    }

    @Test
    void should_leave_out_the_checksum_annotation_when_roll_on_change_is_off() {
        // given the router's hot reload is trusted to apply policy changes in place
        ChartRender render = chart().set("policies.rollOnChange", "false");

        // when
        Manifests manifests = render.render();

        // then
        assertThat(podAnnotations(manifests)).doesNotContainKey(CHECKSUM);
        assertThat(manifests.find(ConfigMap.class, FULLNAME + "-policies")).isPresent();
    }

    @Test
    void should_mount_the_users_configmap_and_render_none_when_an_existing_config_map_is_named() {
        // given
        ChartRender render = chart().ciValues("existing-secret-configmap-values.yaml");

        // when
        Manifests manifests = render.render();

        // then
        assertThat(manifests.ofKind("ConfigMap")).isEmpty();
        Volume policies =
                manifests.get(Deployment.class, FULLNAME).getSpec().getTemplate().getSpec().getVolumes().stream()
                        .filter(v -> v.getName().equals("policies"))
                        .findFirst()
                        .orElseThrow();
        assertThat(policies.getConfigMap().getName()).isEqualTo("router-policies");
        assertThat(podAnnotations(manifests))
                .as("the chart cannot hash a ConfigMap it does not render; hot reload applies changes")
                .doesNotContainKey(CHECKSUM);
    }

    @Test
    void should_render_release_values_into_a_policy_when_the_policy_uses_template_expressions() {
        // given
        ChartRender render = chart().values(SMALL_POLICY
                .formatted("qwen")
                .replace(
                        "http://vllm.models.svc:8000/v1",
                        "http://{{ .Release.Name }}-vllm.{{ .Release.Namespace }}:8000/v1"));

        // when
        Manifests manifests = render.render();

        // then
        String policy =
                manifests.get(ConfigMap.class, FULLNAME + "-policies").getData().get("default.yaml");
        assertThat(policy).contains("base-url: http://hr-vllm.ai:8000/v1");
    }

    @Test
    void should_keep_both_policies_when_a_user_adds_a_policy_file() {
        // given
        ChartRender render = chart().values(
                        """
                policies:
                  files:
                    tenant-b.yml: |
                      version: 1
                      name: tenant-b
                """);

        // when
        Map<String, String> data =
                render.render().get(ConfigMap.class, FULLNAME + "-policies").getData();

        // then
        assertThat(data).containsOnlyKeys("default.yaml", "tenant-b.yml");
    }

    @Test
    void should_drop_the_default_policy_when_the_user_sets_it_to_null() {
        // given
        ChartRender render = chart().values(
                        """
                policies:
                  files:
                    default.yaml: null
                    mine.yaml: |
                      version: 1
                      name: mine
                """);

        // when
        Map<String, String> data =
                render.render().get(ConfigMap.class, FULLNAME + "-policies").getData();

        // then
        assertThat(data).containsOnlyKeys("mine.yaml");
    }

    @Test
    void should_fail_with_a_clear_message_when_a_policy_is_not_a_yaml_mapping() {
        // given
        ChartRender render = chart().values(
                        """
                policies:
                  files:
                    broken.yaml: |
                      - just
                      - a list
                """);

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("policies.files.broken.yaml is not a valid policy: it must be a YAML mapping");
    }

    @Test
    void should_fail_with_a_clear_message_when_a_policy_names_an_slm_server_that_does_not_exist() {
        // given
        ChartRender render = chart().values(
                        """
                policies:
                  files:
                    default.yaml: |
                      specialists:
                        s:
                          base-url: {{ include "hybrid-router.slmServerUrl" (dict "name" "gpu" "context" $) }}
                """);

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no slmServers entry is named \"gpu\" (defined: general)");
    }

    @Test
    void should_fail_with_a_clear_message_when_there_are_no_policies() {
        // given
        ChartRender render = chart().set("policies.files.default\\.yaml", "null");

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no policies: set policies.files");
    }
}
