package dev.hybridrouter.helm;

import static dev.hybridrouter.helm.ChartRender.FULLNAME;
import static dev.hybridrouter.helm.ChartRender.chart;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.policies.Policy.SpecialistProvider;
import dev.hybridrouter.policies.PolicySet;
import dev.hybridrouter.policies.PolicySource;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model cache every router pod gets, and the value set that runs specialists in process. */
class InProcessModelsTest {

    private static final String CACHE_DIR = "/var/lib/hybrid-router/models";
    private static final String QWEN_URL = "https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/"
            + "9217f5db79a29953eb74d5343926648285ec7e67/qwen2.5-0.5b-instruct-q4_k_m.gguf";
    private static final String QWEN_SHA256 = "74a4da8c9fdbcd15bd1f6d01d621410d31c6fc00986f5eb687824e7b93d7a9db";
    /** Qwen2.5-0.5B-Instruct Q4_K_M: the whole file is memory-mapped once loaded. */
    private static final long QWEN_FILE_BYTES = 491_000_000L;
    /**
     * What the pod needs beside the heap and the model file: the ONNX embedding model and the JVM's own
     * non-heap memory (about 400 MB), one 4096-token KV cache (about 50 MB) and llama.cpp's buffers (about
     * 100 MB), with some margin.
     */
    private static final long NON_HEAP_BYTES = 700_000_000L;

    private static final Pattern MAX_RAM_PERCENTAGE = Pattern.compile("-XX:MaxRAMPercentage=(\\d+(?:\\.\\d+)?)");

    @TempDir
    Path dir;

    private static PodSpec pod(Manifests manifests) {
        return manifests.get(Deployment.class, FULLNAME).getSpec().getTemplate().getSpec();
    }

    private static Container router(Manifests manifests) {
        return pod(manifests).getContainers().stream()
                .filter(c -> c.getName().equals("router"))
                .findFirst()
                .orElseThrow();
    }

    private static Map<String, String> env(Container container) {
        return container.getEnv().stream()
                .filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name + " in " + pod.getVolumes()));
    }

    private static VolumeMount mount(Container container, String name) {
        return container.getVolumeMounts().stream()
                .filter(m -> m.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no mount " + name + " in " + container.getVolumeMounts()));
    }

    private PolicySet loadPolicies(Manifests manifests) throws IOException {
        ConfigMap policies = manifests.get(ConfigMap.class, FULLNAME + "-policies");
        for (Map.Entry<String, String> file : policies.getData().entrySet()) {
            Files.writeString(dir.resolve(file.getKey()), file.getValue());
        }
        return new PolicySource(dir, variable -> "set-in-the-pod").load();
    }

    @Test
    void should_mount_a_size_limited_empty_dir_at_the_cache_dir_and_pass_it_on_when_values_are_the_defaults() {
        // given
        ChartRender render = chart();

        // when
        Manifests manifests = render.render();

        // then
        Container router = router(manifests);
        assertThat(env(router))
                .containsEntry("ROUTER_MODELS_CACHE_DIR", CACHE_DIR)
                .containsEntry("ROUTER_CLASSIFIER_CACHE_DIR", CACHE_DIR + "/classifiers")
                .containsEntry("ROUTER_MODELS_OFFLINE", "false");
        VolumeMount models = mount(router, "models");
        assertThat(models.getMountPath()).isEqualTo(CACHE_DIR);
        assertThat(models.getReadOnly())
                .as("the router downloads into it; the root file system is read-only")
                .isNotEqualTo(Boolean.TRUE);
        assertThat(models.getSubPath()).isNull();
        Volume volume = volume(pod(manifests), "models");
        assertThat(volume.getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("2Gi"));
        assertThat(volume.getPersistentVolumeClaim()).isNull();
    }

    @Test
    void should_mount_the_claim_instead_of_an_empty_dir_when_persistence_names_an_existing_claim() {
        // given
        ChartRender render = chart().set("models.persistence.existingClaim", "router-models");

        // when
        Manifests manifests = render.render();

        // then
        Volume volume = volume(pod(manifests), "models");
        assertThat(volume.getPersistentVolumeClaim().getClaimName()).isEqualTo("router-models");
        assertThat(volume.getPersistentVolumeClaim().getReadOnly()).isNotEqualTo(Boolean.TRUE);
        assertThat(volume.getEmptyDir()).isNull();
        assertThat(mount(router(manifests), "models").getMountPath()).isEqualTo(CACHE_DIR);
        assertThat(manifests.ofKind("PersistentVolumeClaim"))
                .as("the claim is the user's own: the chart renders none for it")
                .extracting(r -> r.getMetadata().getName())
                .doesNotContain("router-models");
    }

    @Test
    void should_forbid_downloads_when_offline_is_true() {
        // given an air-gapped cluster
        ChartRender render = chart().set("models.offline", "true");

        // when
        Container router = router(render.render());

        // then
        assertThat(env(router)).containsEntry("ROUTER_MODELS_OFFLINE", "true");
    }

    @Test
    void should_mount_and_pass_the_same_directory_when_the_cache_dir_is_moved() {
        // given
        ChartRender render = chart().set("models.cacheDir", "/models");

        // when
        Container router = router(render.render());

        // then
        assertThat(env(router))
                .containsEntry("ROUTER_MODELS_CACHE_DIR", "/models")
                .containsEntry("ROUTER_CLASSIFIER_CACHE_DIR", "/models/classifiers");
        assertThat(mount(router, "models").getMountPath()).isEqualTo("/models");
    }

    @Test
    void should_run_init_containers_that_can_fill_the_models_volume_when_extra_init_containers_are_given() {
        // given an air-gapped cluster whose model file comes in an image of its own
        ChartRender render = chart().values(
                        """
                models:
                  offline: true
                extraInitContainers:
                  - name: copy-model
                    image: registry.internal/models/qwen2.5-0.5b-instruct:q4_k_m
                    command: [cp, /model/qwen2.5-0.5b-instruct-q4_k_m.gguf, /var/lib/hybrid-router/models/]
                    volumeMounts:
                      - name: models
                        mountPath: /var/lib/hybrid-router/models
                """);

        // when
        Manifests manifests = render.render();

        // then
        PodSpec pod = pod(manifests);
        assertThat(pod.getInitContainers()).singleElement().satisfies(init -> {
            assertThat(init.getName()).isEqualTo("copy-model");
            assertThat(init.getVolumeMounts()).singleElement().satisfies(m -> assertThat(m.getName())
                    .isEqualTo("models"));
        });
        assertThat(volume(pod, "models").getEmptyDir()).isNotNull();
    }

    @Test
    void should_render_no_init_container_when_values_are_the_defaults() {
        // given
        ChartRender render = chart();

        // when
        PodSpec pod = pod(render.render());

        // then
        assertThat(pod.getInitContainers()).isEmpty();
    }

    @Test
    void should_render_two_in_process_specialists_on_the_pinned_model_when_given_the_in_process_values()
            throws IOException {
        // given
        ChartRender render = chart().ciValues("in-process-values.yaml");

        // when
        Manifests manifests = render.render();
        PolicySet loaded = loadPolicies(manifests);

        // then
        Policy policy = loaded.defaultPolicy();
        assertThat(policy.specialists()).containsOnlyKeys("helpdesk-slm", "hr-slm");
        BigDecimal cpuRequest =
                router(manifests).getResources().getRequests().get("cpu").getNumericalAmount();
        assertThat(policy.specialists().values()).allSatisfy(specialist -> {
            assertThat(specialist.provider()).isEqualTo(SpecialistProvider.IN_PROCESS);
            assertThat(specialist.baseUrl()).isNull();
            assertThat(specialist.timeout()).isEqualTo(Duration.ofSeconds(120));
            Policy.InProcess inProcess = specialist.inProcess();
            assertThat(inProcess.modelUrl()).isEqualTo(QWEN_URL);
            assertThat(inProcess.modelSha256()).isEqualTo(QWEN_SHA256);
            assertThat(inProcess.modelPath()).isNull();
            assertThat(inProcess.contextSize()).isEqualTo(4096);
            assertThat(BigDecimal.valueOf(inProcess.threads()))
                    .as("one generating thread per requested CPU")
                    .isEqualByComparingTo(cpuRequest);
        });
        assertThat(manifests.ofKind("Deployment"))
                .as("no SLM server: the model runs in the router")
                .singleElement()
                .satisfies(d -> assertThat(d.getMetadata().getName()).isEqualTo(FULLNAME));
    }

    @Test
    void should_leave_room_for_the_model_beside_the_heap_when_given_the_in_process_values() {
        // given
        ChartRender render = chart().ciValues("in-process-values.yaml");

        // when
        Container router = router(render.render());

        // then
        Map<String, Quantity> requests = router.getResources().getRequests();
        Map<String, Quantity> limits = router.getResources().getLimits();
        assertThat(requests).containsEntry("memory", new Quantity("2Gi")).containsEntry("cpu", new Quantity("2"));
        assertThat(limits).containsEntry("memory", new Quantity("2Gi"));
        String javaToolOptions = env(router).get("JAVA_TOOL_OPTIONS");
        assertThat(javaToolOptions).contains("-XX:MaxRAMPercentage=40").contains("-XX:+ExitOnOutOfMemoryError");
        Matcher percentage = MAX_RAM_PERCENTAGE.matcher(javaToolOptions);
        assertThat(percentage.find()).isTrue();
        long limit = Quantity.getAmountInBytes(limits.get("memory")).longValueExact();
        double maxHeap = limit * Double.parseDouble(percentage.group(1)) / 100;
        assertThat(maxHeap + QWEN_FILE_BYTES + NON_HEAP_BYTES)
                .as("a full heap, the memory-mapped model and the native rest fit in the memory limit")
                .isLessThanOrEqualTo(limit);
    }
}
