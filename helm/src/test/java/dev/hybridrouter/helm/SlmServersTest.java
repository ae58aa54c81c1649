package dev.hybridrouter.helm;

import static dev.hybridrouter.helm.ChartRender.FULLNAME;
import static dev.hybridrouter.helm.ChartRender.chart;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlmServersTest {

    private static final String VLLM = FULLNAME + "-slm-helpdesk";
    private static final String OLLAMA = FULLNAME + "-slm-hr";

    private static PodSpec pod(Manifests manifests, String deployment) {
        return manifests
                .get(Deployment.class, deployment)
                .getSpec()
                .getTemplate()
                .getSpec();
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> specialist(Manifests manifests, String name) {
        String policy =
                manifests.get(ConfigMap.class, FULLNAME + "-policies").getData().get("default.yaml");
        Map<String, Object> specialists =
                (Map<String, Object>) Manifests.parseYaml(policy).get("specialists");
        return (Map<String, Object>) specialists.get(name);
    }

    @Test
    void should_run_vllm_on_a_gpu_node_with_a_model_cache_claim_when_a_vllm_server_is_listed() {
        // given
        ChartRender render = chart().ciValues("slm-servers-values.yaml");

        // when
        Manifests manifests = render.render();

        // then
        Deployment deployment = manifests.get(Deployment.class, VLLM);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        PodSpec pod = pod(manifests, VLLM);
        Container vllm = pod.getContainers().get(0);
        assertThat(vllm.getImage()).isEqualTo("vllm/vllm-openai:v0.11.0");
        assertThat(vllm.getArgs())
                .containsExactly(
                        "--model",
                        "Qwen/Qwen2.5-1.5B-Instruct",
                        "--port",
                        "8000",
                        "--max-model-len",
                        "8192",
                        "--gpu-memory-utilization",
                        "0.85");
        assertThat(vllm.getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getName()).isEqualTo("http");
            assertThat(port.getContainerPort()).isEqualTo(8000);
        });
        assertThat(vllm.getStartupProbe().getHttpGet().getPath()).isEqualTo("/health");
        assertThat(vllm.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(vllm.getEnvFrom().get(0).getSecretRef().getName()).isEqualTo("huggingface-token");
        assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
        assertThat(pod.getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey())
                .isEqualTo("nvidia.com/gpu"));
        assertThat(volume(pod, "dshm").getEmptyDir().getMedium()).isEqualTo("Memory");
        assertThat(volume(pod, "data").getPersistentVolumeClaim().getClaimName())
                .isEqualTo(VLLM + "-data");
        assertThat(vllm.getVolumeMounts())
                .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/root/.cache/huggingface"));

        PersistentVolumeClaim claim = manifests.get(PersistentVolumeClaim.class, VLLM + "-data");
        assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("30Gi"));
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast-ssd");
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(claim.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");

        Service service = manifests.get(Service.class, VLLM);
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(port -> assertThat(port.getPort())
                .isEqualTo(8000));
        assertThat(service.getSpec().getSelector())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(service.getSpec().getSelector());
    }

    @Test
    void should_pull_the_model_before_serving_when_an_ollama_server_is_listed() {
        // given
        ChartRender render = chart().ciValues("slm-servers-values.yaml");

        // when
        Manifests manifests = render.render();

        // then
        PodSpec pod = pod(manifests, OLLAMA);
        Container pull = pod.getInitContainers().get(0);
        assertThat(pull.getName()).isEqualTo("pull-model");
        assertThat(pull.getArgs().get(0)).contains("ollama serve &").contains("ollama pull \"$MODEL\"");
        assertThat(pull.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("MODEL");
            assertThat(e.getValue()).isEqualTo("llama3.2:3b");
        });
        Container ollama = pod.getContainers().get(0);
        assertThat(ollama.getImage()).isEqualTo("ollama/ollama:0.12.6");
        assertThat(ollama.getPorts().get(0).getContainerPort()).isEqualTo(11434);
        assertThat(ollama.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("OLLAMA_KEEP_ALIVE"));
        assertThat(pull.getVolumeMounts().get(0).getMountPath())
                .isEqualTo(ollama.getVolumeMounts().get(0).getMountPath())
                .isEqualTo("/root/.ollama");
        assertThat(manifests
                        .get(Service.class, OLLAMA)
                        .getSpec()
                        .getPorts()
                        .get(0)
                        .getPort())
                .isEqualTo(11434);
        assertThat(manifests
                        .get(PersistentVolumeClaim.class, OLLAMA + "-data")
                        .getSpec()
                        .getResources()
                        .getRequests())
                .containsEntry("storage", new Quantity("15Gi"));
    }

    @Test
    void should_point_each_policy_base_url_at_its_in_cluster_service_when_the_policy_uses_slm_server_url() {
        // given
        ChartRender render = chart().ciValues("slm-servers-values.yaml");

        // when
        Manifests manifests = render.render();

        // then
        assertThat(specialist(manifests, "helpdesk-slm"))
                .containsEntry("provider", "openai-compatible")
                .containsEntry("base-url", "http://" + VLLM + ":8000/v1");
        assertThat(specialist(manifests, "hr-slm"))
                .containsEntry("provider", "ollama")
                .containsEntry("base-url", "http://" + OLLAMA + ":11434");
        assertThat(manifests.find(Service.class, VLLM)).isPresent();
        assertThat(manifests.find(Service.class, OLLAMA)).isPresent();
    }

    @Test
    void should_point_the_default_policy_at_the_default_ollama_server_when_values_are_the_defaults() {
        // given
        ChartRender render = chart();

        // when
        Manifests manifests = render.render();

        // then
        String general = FULLNAME + "-slm-general";
        assertThat(specialist(manifests, "helpdesk-slm")).containsEntry("base-url", "http://" + general + ":11434");
        assertThat(manifests
                        .get(Service.class, general)
                        .getSpec()
                        .getPorts()
                        .get(0)
                        .getPort())
                .isEqualTo(11434);
        assertThat(manifests.find(PersistentVolumeClaim.class, general + "-data"))
                .isPresent();
    }

    @Test
    void should_use_an_empty_dir_and_render_no_claim_when_persistence_is_off() {
        // given
        ChartRender render = chart().values(
                        """
                slmServers:
                  - name: general
                    engine: ollama
                    model: qwen2.5:0.5b
                    persistence:
                      enabled: false
                """);

        // when
        Manifests manifests = render.render();

        // then
        PodSpec pod = pod(manifests, FULLNAME + "-slm-general");
        assertThat(volume(pod, "data").getEmptyDir()).isNotNull();
        assertThat(manifests.ofKind("PersistentVolumeClaim")).isEmpty();
    }

    @Test
    void should_render_no_slm_server_when_the_list_is_empty() {
        // given model servers that run elsewhere
        ChartRender render = chart().ciValues("existing-secret-configmap-values.yaml");

        // when
        Manifests manifests = render.render();

        // then
        assertThat(manifests.ofKind("Deployment"))
                .singleElement()
                .satisfies(d -> assertThat(d.getMetadata().getName()).isEqualTo(FULLNAME));
        assertThat(manifests.ofKind("PersistentVolumeClaim")).isEmpty();
    }
}
