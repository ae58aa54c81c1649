package dev.hybridrouter.helm;

import static dev.hybridrouter.helm.ChartRender.FULLNAME;
import static dev.hybridrouter.helm.ChartRender.chart;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The Redis that replicas count tenants' limits and budgets in: an existing one named by {@code redis.url}, or one
 * the chart runs ({@code redis.deploy}), whose password the server and the router read from a Secret.
 */
class RedisTest {

    private static final String REDIS = FULLNAME + "-redis";

    @Test
    void should_pass_the_redis_url_and_the_failure_mode_to_the_router() {
        // when
        Manifests manifests = chart().values(
                        """
                redis:
                  url: redis://redis-master.redis:6379/0
                  onFailure: closed
                """)
                .render();

        // then
        Container router = router(manifests);
        assertThat(env(router, "ROUTER_REDIS_URL")).hasValue("redis://redis-master.redis:6379/0");
        assertThat(env(router, "ROUTER_REDIS_ON_FAILURE")).hasValue("closed");
    }

    @Test
    void should_count_in_each_pod_and_serve_on_failure_by_default() {
        // when
        Container router = router(chart().render());

        // then
        assertThat(env(router, "ROUTER_REDIS_URL")).isEmpty();
        assertThat(env(router, "ROUTER_REDIS_ON_FAILURE")).hasValue("open");
    }

    @Test
    void should_refuse_a_url_that_is_not_redis_and_an_unknown_failure_mode() {
        assertThatThrownBy(
                        () -> chart().values("redis: {url: http://redis:6379}").render())
                .hasMessageContaining("/redis/url");
        assertThatThrownBy(() -> chart().values("redis: {onFailure: maybe}").render())
                .hasMessageContaining("/redis/onFailure");
    }

    @Test
    void should_deploy_no_redis_when_values_are_the_defaults() {
        // when
        Manifests manifests = chart().render();

        // then
        assertThat(manifests.find(Deployment.class, REDIS)).isEmpty();
        assertThat(manifests.find(Service.class, REDIS)).isEmpty();
        assertThat(manifests.find(Secret.class, REDIS)).isEmpty();
    }

    @Test
    void should_run_one_non_root_redis_behind_a_cluster_ip_service_when_redis_deploy_is_enabled() {
        // when
        Manifests manifests = chart().set("redis.deploy.enabled", "true").render();

        // then
        Deployment deployment = manifests.get(Deployment.class, REDIS);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(999L);
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        Container redis = pod.getContainers().get(0);
        assertThat(redis.getImage()).isEqualTo("redis:7.4-alpine");
        assertThat(redis.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(redis.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(redis.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(redis.getCommand()).containsExactly("redis-server");
        assertThat(String.join(" ", redis.getArgs()))
                .contains("--requirepass $(REDIS_PASSWORD)", "--appendonly no", "--save ");
        assertThat(redis.getReadinessProbe().getExec().getCommand()).containsExactly("redis-cli", "-e", "ping");
        assertThat(redis.getLivenessProbe().getExec().getCommand()).containsExactly("redis-cli", "-e", "ping");
        assertThat(redis.getVolumeMounts()).singleElement().satisfies(mount -> assertThat(mount.getMountPath())
                .isEqualTo("/data"));
        assertThat(pod.getVolumes()).singleElement().satisfies(volume -> assertThat(volume.getEmptyDir())
                .isNotNull());
        // and: the Service reaches the Redis pod and nothing else
        Service service = manifests.get(Service.class, REDIS);
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(port -> assertThat(port.getPort())
                .isEqualTo(6379));
        assertThat(service.getSpec().getSelector())
                .isEqualTo(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .isNotEqualTo(manifests
                        .get(Deployment.class, FULLNAME)
                        .getSpec()
                        .getTemplate()
                        .getMetadata()
                        .getLabels());
    }

    @Test
    void
            should_give_redis_and_the_router_the_generated_password_only_through_its_secret_when_redis_deploy_is_enabled() {
        // when
        String rendered = chart().set("redis.deploy.enabled", "true").renderText();
        Manifests manifests = Manifests.parse(rendered);

        // then: one random password, in the chart's Secret
        Secret secret = manifests.get(Secret.class, REDIS);
        String password =
                new String(Base64.getDecoder().decode(secret.getData().get("redis-password")), StandardCharsets.UTF_8);
        assertThat(password).hasSize(32).matches("[A-Za-z0-9]+");
        assertThat(rendered)
                .containsOnlyOnce(secret.getData().get("redis-password"))
                .doesNotContain(password);
        // and: the server, its probes and the router read it from there
        Container redis = manifests
                .get(Deployment.class, REDIS)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        assertThat(secretRef(redis, "REDIS_PASSWORD")).isEqualTo(new SecretKeySelector("redis-password", REDIS, null));
        assertThat(secretRef(redis, "REDISCLI_AUTH")).isEqualTo(new SecretKeySelector("redis-password", REDIS, null));
        Container router = router(manifests);
        assertThat(secretRef(router, "REDIS_PASSWORD")).isEqualTo(new SecretKeySelector("redis-password", REDIS, null));
        assertThat(env(router, "ROUTER_REDIS_URL")).hasValue("redis://:$(REDIS_PASSWORD)@" + REDIS + ":6379/0");
        // and: Kubernetes expands $(REDIS_PASSWORD) only from a variable defined before it
        List<String> names = router.getEnv().stream().map(EnvVar::getName).toList();
        assertThat(names.indexOf("REDIS_PASSWORD")).isLessThan(names.indexOf("ROUTER_REDIS_URL"));
    }

    @Test
    void should_read_the_password_from_the_existing_secret_and_create_none_when_one_is_named() {
        // when
        Manifests manifests = chart().values(
                        """
                redis:
                  deploy:
                    enabled: true
                    existingSecret: router-redis
                    existingSecretKey: password
                """)
                .render();

        // then
        assertThat(manifests.find(Secret.class, REDIS)).isEmpty();
        SecretKeySelector existing = new SecretKeySelector("password", "router-redis", null);
        Container redis = manifests
                .get(Deployment.class, REDIS)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        assertThat(secretRef(redis, "REDIS_PASSWORD")).isEqualTo(existing);
        assertThat(secretRef(redis, "REDISCLI_AUTH")).isEqualTo(existing);
        assertThat(secretRef(router(manifests), "REDIS_PASSWORD")).isEqualTo(existing);
    }

    @Test
    void should_keep_the_counts_on_a_claim_in_an_append_only_file_when_persistence_is_enabled() {
        // when
        Manifests manifests = chart().values(
                        """
                redis:
                  deploy:
                    enabled: true
                    persistence:
                      enabled: true
                      size: 2Gi
                      storageClass: fast
                """)
                .render();

        // then
        PersistentVolumeClaim claim = manifests.get(PersistentVolumeClaim.class, REDIS + "-data");
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast");
        assertThat(claim.getSpec().getResources().getRequests().get("storage")).hasToString("2Gi");
        PodSpec pod =
                manifests.get(Deployment.class, REDIS).getSpec().getTemplate().getSpec();
        assertThat(pod.getVolumes()).singleElement().satisfies(volume -> assertThat(
                        volume.getPersistentVolumeClaim().getClaimName())
                .isEqualTo(REDIS + "-data"));
        assertThat(String.join(" ", pod.getContainers().get(0).getArgs()))
                .contains("--appendonly yes", "--appendfsync everysec");
    }

    @Test
    void should_refuse_a_redis_url_together_with_a_deployed_redis() {
        // given
        ChartRender render =
                chart().set("redis.url", "redis://redis-master.redis:6379/0").set("redis.deploy.enabled", "true");

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("redis.url and redis.deploy.enabled are both set");
    }

    @Test
    void should_refuse_a_misspelt_redis_deploy_key() {
        assertThatThrownBy(
                        () -> chart().values("redis: {deploy: {enable: true}}").render())
                .hasMessageContaining("/redis/deploy")
                .hasMessageContaining("additional properties 'enable' not allowed");
    }

    private static SecretKeySelector secretRef(Container container, String name) {
        return container.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .findFirst()
                .map(e -> e.getValueFrom().getSecretKeyRef())
                .orElseThrow(() -> new AssertionError("no " + name + " in " + container.getName()));
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
