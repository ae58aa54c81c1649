package dev.hybridrouter.helm;

import static dev.hybridrouter.helm.ChartRender.chart;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NotesTest {

    @Test
    void should_show_port_forward_and_a_chat_completion_call_with_model_auto_when_installed_with_defaults() {
        // given
        ChartRender render = chart();

        // when
        String notes = render.notes();

        // then
        assertThat(notes)
                .contains("kubectl -n ai port-forward service/hr-hybrid-router 8080:8080")
                .contains("curl -s http://localhost:8080/v1/chat/completions")
                .contains("\"model\": \"auto\"")
                .contains("rollout status deployment/hr-hybrid-router-slm-general")
                .contains("WARNING: existingSecret is empty");
    }

    @Test
    void should_call_the_ingress_host_and_skip_the_secret_warning_when_ingress_and_secret_are_set() {
        // given
        ChartRender render =
                chart().ciValues("ingress-monitoring-pdb-values.yaml").set("existingSecret", "hybrid-router-api-keys");

        // when
        String notes = render.notes();

        // then
        assertThat(notes)
                .contains("curl -s https://llm.example.com/v1/chat/completions")
                .doesNotContain("port-forward")
                .doesNotContain("WARNING");
    }
}
