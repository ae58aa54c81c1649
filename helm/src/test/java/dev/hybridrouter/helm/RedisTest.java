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

/** The Redis that replicas count tenants' limits and budgets in: named by the chart, never deployed by it. */
class RedisTest {

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
