package dev.hybridrouter.helm;

import static dev.hybridrouter.helm.ChartRender.FULLNAME;
import static dev.hybridrouter.helm.ChartRender.chart;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RouterDeploymentTest {

    private static Deployment router(Manifests manifests) {
        return manifests.get(Deployment.class, FULLNAME);
    }

    private static Container routerContainer(Manifests manifests) {
        return router(manifests).getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("router"))
                .findFirst()
                .orElseThrow();
    }

    private static Map<String, String> env(Container container) {
        return container.getEnv().stream()
                .filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    @Test
    void should_run_as_non_root_with_a_read_only_root_file_system_when_values_are_the_defaults() {
        // given
        ChartRender render = chart();

        // when
        Manifests manifests = render.render();

        // then
        PodSpec pod = router(manifests).getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        var container = routerContainer(manifests).getSecurityContext();
        assertThat(container.getRunAsNonRoot()).isTrue();
        assertThat(container.getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    }

    @Test
    void should_mount_the_policies_directory_and_a_writable_tmp_when_values_are_the_defaults() {
        // given
        ChartRender render = chart();

        // when
        Manifests manifests = render.render();

        // then
        Container container = routerContainer(manifests);
        assertThat(env(container))
                .containsEntry("ROUTER_POLICIES_LOCATION", "/etc/hybrid-router/policies")
                .containsEntry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError")
                .doesNotContainKeys("SPRING_PROFILES_ACTIVE", "LOGGING_STRUCTURED_FORMAT_CONSOLE");
        assertThat(container.getVolumeMounts())
                .extracting(VolumeMount::getName, VolumeMount::getMountPath, VolumeMount::getSubPath)
                .contains(tuple("policies", "/etc/hybrid-router/policies", null), tuple("tmp", "/tmp", null));
        Map<String, Volume> volumes = router(manifests).getSpec().getTemplate().getSpec().getVolumes().stream()
                .collect(Collectors.toMap(Volume::getName, v -> v));
        assertThat(volumes.get("policies").getConfigMap().getName()).isEqualTo(FULLNAME + "-policies");
        assertThat(volumes.get("tmp").getEmptyDir()).isNotNull();
        assertThat(manifests.find(ConfigMap.class, FULLNAME + "-policies")).isPresent();
    }

    @Test
    void should_set_replicas_and_render_no_optional_resources_when_values_are_the_defaults() {
        // given
        ChartRender render = chart();

        // when
        Manifests manifests = render.render();

        // then
        assertThat(router(manifests).getSpec().getReplicas()).isEqualTo(1);
        assertThat(manifests.ofKind("HorizontalPodAutoscaler")).isEmpty();
        assertThat(manifests.ofKind("PodDisruptionBudget")).isEmpty();
        assertThat(manifests.ofKind("Ingress")).isEmpty();
        assertThat(manifests.ofKind("ServiceMonitor")).isEmpty();
        assertThat(manifests.get(ServiceAccount.class, FULLNAME).getAutomountServiceAccountToken())
                .isFalse();
        assertThat(router(manifests).getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(FULLNAME);
    }

    @Test
    void should_sleep_before_sigterm_within_the_grace_period_when_the_cluster_runs_kubernetes_1_30_or_later() {
        // given
        ChartRender render = chart().kubeVersion("v1.30.0");

        // when
        Manifests manifests = render.render();

        // then
        Container container = routerContainer(manifests);
        long sleep = container.getLifecycle().getPreStop().getSleep().getSeconds();
        long grace = router(manifests).getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
        assertThat(sleep).isEqualTo(5);
        assertThat(grace)
                .as("grace period covers the preStop sleep and the router's 30 s graceful shutdown")
                .isEqualTo(45)
                .isGreaterThan(sleep + 30);
    }

    @Test
    void should_omit_the_pre_stop_sleep_when_the_cluster_runs_kubernetes_older_than_1_30() {
        // given
        ChartRender render = chart().kubeVersion("v1.29.4");

        // when
        Container container = routerContainer(render.render());

        // then
        assertThat(container.getLifecycle()).isNull();
    }

    @Test
    void should_omit_the_pre_stop_sleep_when_pre_stop_sleep_seconds_is_zero() {
        // given
        ChartRender render = chart().set("preStopSleepSeconds", "0");

        // when
        Container container = routerContainer(render.render());

        // then
        assertThat(container.getLifecycle()).isNull();
    }

    @Test
    void should_select_only_router_pods_when_slm_servers_share_the_release() {
        // given the default values, which run an SLM server in the same release
        ChartRender render = chart();

        // when
        Manifests manifests = render.render();

        // then
        Map<String, String> selector =
                manifests.get(Service.class, FULLNAME).getSpec().getSelector();
        assertThat(selector).containsEntry("app.kubernetes.io/component", "router");
        assertThat(router(manifests).getSpec().getSelector().getMatchLabels()).isEqualTo(selector);
        assertThat(router(manifests).getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(selector);
        Deployment slm = manifests.get(Deployment.class, FULLNAME + "-slm-general");
        assertThat(slm.getSpec().getTemplate().getMetadata().getLabels())
                .as("SLM pods must not match the router's selector")
                .doesNotContainEntry("app.kubernetes.io/component", "router");
    }

    @Test
    void should_leave_chart_version_labels_off_pod_templates_when_rendered() {
        // given pod templates that would change, and restart every pod, with each chart version
        ChartRender render = chart();

        // when
        Manifests manifests = render.render();

        // then
        assertThat(manifests.ofKind("Deployment"))
                .hasSize(2)
                .map(d -> ((Deployment) d).getSpec().getTemplate().getMetadata().getLabels())
                .allSatisfy(
                        labels -> assertThat(labels).doesNotContainKeys("helm.sh/chart", "app.kubernetes.io/version"));
        assertThat(router(manifests).getMetadata().getLabels()).containsEntry("helm.sh/chart", "hybrid-router-0.1.0");
    }

    @Test
    void should_set_structured_logging_and_profiles_when_logging_json_and_profiles_are_set() {
        // given
        ChartRender render = chart().values(
                        """
                logging:
                  json: true
                springProfilesActive: production,kubernetes
                javaToolOptions: -XX:MaxRAMPercentage=60
                """);

        // when
        Container container = routerContainer(render.render());

        // then
        assertThat(env(container))
                .containsEntry("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs")
                .containsEntry("SPRING_PROFILES_ACTIVE", "production,kubernetes")
                .containsEntry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=60");
    }

    @Test
    void should_use_the_chart_app_version_as_image_tag_when_no_tag_is_set() {
        // given
        ChartRender render = chart();

        // when
        Container container = routerContainer(render.render());

        // then
        assertThat(container.getImage()).isEqualTo("ghcr.io/hybrid-router/router-service:0.1.0");
        assertThat(container.getImagePullPolicy()).isEqualTo("IfNotPresent");
    }
}
