package dev.hybridrouter.helm;

import static dev.hybridrouter.helm.ChartRender.FULLNAME;
import static dev.hybridrouter.helm.ChartRender.chart;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngressMonitoringPdbTest {

    private final Manifests manifests =
            chart().ciValues("ingress-monitoring-pdb-values.yaml").render();

    @Test
    void should_route_the_host_to_the_router_service_when_ingress_is_enabled() {
        // given the ingress + servicemonitor + pdb value set (rendered above)

        // when
        Ingress ingress = manifests.get(Ingress.class, FULLNAME);

        // then
        assertThat(ingress.getApiVersion()).isEqualTo("networking.k8s.io/v1");
        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        assertThat(ingress.getMetadata().getAnnotations())
                .containsEntry("nginx.ingress.kubernetes.io/proxy-buffering", "off");
        assertThat(ingress.getSpec().getTls()).singleElement().satisfies(tls -> {
            assertThat(tls.getSecretName()).isEqualTo("llm-example-com-tls");
            assertThat(tls.getHosts()).containsExactly("llm.example.com");
        });
        assertThat(ingress.getSpec().getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getHost()).isEqualTo("llm.example.com");
            HTTPIngressPath path = rule.getHttp().getPaths().get(0);
            assertThat(path.getPath()).isEqualTo("/v1");
            assertThat(path.getPathType()).isEqualTo("Prefix");
            assertThat(path.getBackend().getService().getName()).isEqualTo(FULLNAME);
            assertThat(path.getBackend().getService().getPort().getName()).isEqualTo("http");
        });
        assertThat(manifests.get(Service.class, FULLNAME).getSpec().getPorts())
                .anySatisfy(port -> assertThat(port.getName()).isEqualTo("http"));
    }

    @Test
    void should_scrape_the_actuator_prometheus_endpoint_on_the_management_port_when_the_service_monitor_is_enabled() {
        // given the ingress + servicemonitor + pdb value set (rendered above)

        // when
        HasMetadata resource = manifests.ofKind("ServiceMonitor").get(0);

        // then
        assertThat(resource.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        GenericKubernetesResource monitor = (GenericKubernetesResource) resource;
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        assertThat((String) monitor.get("spec", "endpoints", 0, "port")).isEqualTo("management");
        assertThat((String) monitor.get("spec", "endpoints", 0, "path")).isEqualTo("/actuator/prometheus");
        assertThat((String) monitor.get("spec", "endpoints", 0, "interval")).isEqualTo("15s");
        Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
        assertThat(manifests.get(Service.class, FULLNAME).getMetadata().getLabels())
                .containsAllEntriesOf(selector);
        assertThat(manifests.get(Service.class, FULLNAME).getSpec().getPorts())
                .anySatisfy(port -> assertThat(port.getName()).isEqualTo("management"));
    }

    @Test
    void should_protect_the_router_pods_when_a_pod_disruption_budget_is_set() {
        // given the ingress + servicemonitor + pdb value set (rendered above)

        // when
        PodDisruptionBudget pdb = manifests.get(PodDisruptionBudget.class, FULLNAME);

        // then
        assertThat(pdb.getApiVersion()).isEqualTo("policy/v1");
        assertThat(pdb.getSpec().getMinAvailable()).isEqualTo(new IntOrString(2));
        assertThat(pdb.getSpec().getSelector().getMatchLabels())
                .isEqualTo(manifests
                        .get(Deployment.class, FULLNAME)
                        .getSpec()
                        .getSelector()
                        .getMatchLabels());
        assertThat(manifests.get(Deployment.class, FULLNAME).getSpec().getReplicas())
                .isEqualTo(3);
    }
}
