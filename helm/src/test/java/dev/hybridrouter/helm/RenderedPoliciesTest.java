package dev.hybridrouter.helm;

import static dev.hybridrouter.helm.ChartRender.FULLNAME;
import static dev.hybridrouter.helm.ChartRender.chart;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.policies.PolicySet;
import dev.hybridrouter.policies.PolicySource;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The policies the chart renders are policies the service accepts, loaded by its own loader. */
class RenderedPoliciesTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(
            strings = {
                "default-values.yaml",
                "autoscaling-values.yaml",
                "slm-servers-values.yaml",
                "ingress-monitoring-pdb-values.yaml",
                "in-process-values.yaml"
            })
    void should_render_policies_the_service_loads_when_the_chart_is_installed(String values) throws IOException {
        // given
        ConfigMap policies = chart().ciValues(values)
                .render()
                .find(ConfigMap.class, FULLNAME + "-policies")
                .orElseThrow();
        for (Map.Entry<String, String> file : policies.getData().entrySet()) {
            Files.writeString(dir.resolve(file.getKey()), file.getValue());
        }

        // when
        PolicySet loaded = new PolicySource(dir, variable -> "set-in-the-pod").load();

        // then
        assertThat(loaded.policies()).isNotEmpty();
        assertThat(loaded.defaultPolicy().domains()).isNotEmpty();
    }
}
