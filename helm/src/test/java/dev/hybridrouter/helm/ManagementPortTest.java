package dev.hybridrouter.helm;

import static dev.hybridrouter.helm.ChartRender.FULLNAME;
import static dev.hybridrouter.helm.ChartRender.chart;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The router's two ports: the API port {@code http} (8080) with only the bare probe paths {@code /livez} and
 * {@code /readyz}, and the management port {@code management} ({@code management.port}) with all of {@code
 * /actuator}, which the Service exposes for Prometheus (the ServiceMonitor and the Ingress are checked in
 * {@link IngressMonitoringPdbTest}).
 */
class ManagementPortTest {

    private static Container router(Manifests manifests) {
        return manifests.get(Deployment.class, FULLNAME).getSpec().getTemplate().getSpec().getContainers().stream()
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
    void should_move_the_actuator_to_port_8081_named_management_when_values_are_the_defaults() {
        // given
        ChartRender render = chart();

        // when
        Container container = router(render.render());

        // then
        assertThat(env(container)).containsEntry("MANAGEMENT_SERVER_PORT", "8081");
        assertThat(container.getPorts())
                .extracting(ContainerPort::getName, ContainerPort::getContainerPort, ContainerPort::getProtocol)
                .containsExactly(tuple("http", 8080, "TCP"), tuple("management", 8081, "TCP"));
    }

    @Test
    void should_check_readiness_on_the_api_port_and_liveness_on_the_management_port_when_values_are_the_defaults() {
        // given
        ChartRender render = chart();

        // when
        Container container = router(render.render());

        // then: ready only while the port clients use takes connections
        Probe readiness = container.getReadinessProbe();
        assertThat(readiness.getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(readiness.getHttpGet().getPort().getStrVal()).isEqualTo("http");
        // and: a full API port takes the pod out of the Service without restarting it
        Probe liveness = container.getLivenessProbe();
        assertThat(liveness.getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(liveness.getHttpGet().getPort().getStrVal()).isEqualTo("management");
        Probe startup = container.getStartupProbe();
        assertThat(startup.getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(startup.getHttpGet().getPort().getStrVal()).isEqualTo("management");
        assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold())
                .as("seconds the router gets to load its embedding model and train the classifier")
                .isGreaterThanOrEqualTo(60);
    }

    @Test
    void should_expose_the_api_and_the_management_port_on_the_service_when_values_are_the_defaults() {
        // given
        ChartRender render = chart();

        // when
        Service service = render.render().get(Service.class, FULLNAME);

        // then
        assertThat(service.getSpec().getPorts())
                .extracting(ServicePort::getName, ServicePort::getPort, p -> p.getTargetPort()
                        .getStrVal())
                .containsExactly(tuple("http", 8080, "http"), tuple("management", 8081, "management"));
    }

    @Test
    void should_use_the_port_everywhere_when_management_port_is_set() {
        // given
        ChartRender render = chart().set("management.port", "9090");

        // when
        Manifests manifests = render.render();

        // then
        Container container = router(manifests);
        assertThat(env(container)).containsEntry("MANAGEMENT_SERVER_PORT", "9090");
        assertThat(container.getPorts())
                .filteredOn(port -> port.getName().equals("management"))
                .singleElement()
                .extracting(ContainerPort::getContainerPort)
                .isEqualTo(9090);
        assertThat(manifests.get(Service.class, FULLNAME).getSpec().getPorts())
                .filteredOn(port -> port.getName().equals("management"))
                .singleElement()
                .extracting(ServicePort::getPort)
                .isEqualTo(9090);
        assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal())
                .as("probes name the port, so they follow it")
                .isEqualTo("management");
    }

    @Test
    void should_reject_the_values_when_the_management_port_is_the_api_port() {
        // given
        ChartRender render = chart().set("management.port", "8080");

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("management.port 8080 is the API's port");
    }

    @Test
    void should_reject_the_values_when_the_management_port_is_not_a_port_number() {
        // given
        ChartRender render = chart().set("management.port", "70000");

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/management/port");
    }

    @Test
    void should_tell_how_to_reach_the_health_details_on_the_management_port_when_installed() {
        // given
        ChartRender render = chart();

        // when
        String notes = render.notes();

        // then
        assertThat(notes)
                .contains("kubectl -n ai port-forward service/hr-hybrid-router 8081:8081")
                .contains("curl -s http://localhost:8081/actuator/health");
    }
}
