package dev.hybridrouter.helm;

import static dev.hybridrouter.helm.ChartRender.FULLNAME;
import static dev.hybridrouter.helm.ChartRender.chart;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import org.junit.jupiter.api.Test;

class AutoscalingTest {

    @Test
    void should_render_an_hpa_and_leave_replicas_out_of_the_deployment_when_autoscaling_is_on() {
        // given
        ChartRender render = chart().ciValues("autoscaling-values.yaml");

        // when
        Manifests manifests = render.render();

        // then
        HorizontalPodAutoscaler hpa = manifests.get(HorizontalPodAutoscaler.class, FULLNAME);
        assertThat(hpa.getApiVersion()).isEqualTo("autoscaling/v2");
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(FULLNAME);
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(8);
        assertThat(hpa.getSpec().getMetrics()).singleElement().satisfies(metric -> {
            assertThat(metric.getResource().getName()).isEqualTo("cpu");
            assertThat(metric.getResource().getTarget().getAverageUtilization()).isEqualTo(60);
        });
        assertThat(hpa.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds())
                .isEqualTo(300);
        assertThat(manifests.get(Deployment.class, FULLNAME).getSpec().getReplicas())
                .as("a replicas field would fight the HPA on every helm upgrade")
                .isNull();
    }

    @Test
    void should_add_the_router_selector_to_spread_constraints_when_they_name_no_label_selector() {
        // given
        ChartRender render = chart().ciValues("autoscaling-values.yaml");

        // when
        Deployment router = render.render().get(Deployment.class, FULLNAME);

        // then
        TopologySpreadConstraint constraint = router.getSpec()
                .getTemplate()
                .getSpec()
                .getTopologySpreadConstraints()
                .get(0);
        assertThat(constraint.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
        assertThat(constraint.getLabelSelector().getMatchLabels())
                .isEqualTo(router.getSpec().getSelector().getMatchLabels());
    }
}
