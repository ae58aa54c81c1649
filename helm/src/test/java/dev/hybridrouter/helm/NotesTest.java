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
    void should_call_the_ingress_host_and_skip_the_warnings_when_ingress_and_both_secrets_are_set() {
        // given
        ChartRender render = chart().ciValues("ingress-monitoring-pdb-values.yaml")
                .set("existingSecret", "hybrid-router-api-keys")
                .set("tenants.existingSecret", "router-tenants")
                .set("redis.url", "redis://redis-master.redis:6379/0");

        // when
        String notes = render.notes();

        // then
        assertThat(notes)
                .contains("curl -s https://llm.example.com/v1/chat/completions")
                .doesNotContain("port-forward service/hr-hybrid-router 8080:")
                .doesNotContain("WARNING");
    }

    @Test
    void should_warn_that_limits_hold_per_pod_when_tenants_run_on_several_pods_without_redis() {
        // given
        ChartRender several =
                chart().set("tenants.existingSecret", "router-tenants").set("replicaCount", "3");
        ChartRender scaling =
                chart().set("tenants.existingSecret", "router-tenants").set("autoscaling.enabled", "true");
        ChartRender shared = chart().set("tenants.existingSecret", "router-tenants")
                .set("replicaCount", "3")
                .set("redis.url", "redis://redis-master.redis:6379/0");
        ChartRender deployed = chart().set("tenants.existingSecret", "router-tenants")
                .set("replicaCount", "3")
                .set("redis.deploy.enabled", "true");
        ChartRender one = chart().set("tenants.existingSecret", "router-tenants");

        // when / then
        assertThat(several.notes()).contains("WARNING: more than one router pod and no redis.url");
        assertThat(scaling.notes()).contains("WARNING: more than one router pod and no redis.url");
        assertThat(shared.notes()).doesNotContain("more than one router pod");
        assertThat(deployed.notes()).doesNotContain("more than one router pod");
        assertThat(one.notes()).doesNotContain("more than one router pod");
    }

    @Test
    void should_say_that_counts_reset_with_the_redis_pod_unless_it_persists_when_tenants_count_in_the_charts_redis() {
        // given
        ChartRender inMemory =
                chart().set("tenants.existingSecret", "router-tenants").set("redis.deploy.enabled", "true");
        ChartRender persistent = chart().set("tenants.existingSecret", "router-tenants")
                .set("redis.deploy.enabled", "true")
                .set("redis.deploy.persistence.enabled", "true");

        // when / then
        assertThat(inMemory.notes())
                .contains("counts the tenants' limits and budgets in Redis \"hr-hybrid-router-redis\" of this release")
                .contains("when its pod restarts, rate windows and daily budgets start again at zero");
        assertThat(persistent.notes())
                .contains("daily budgets survive a restart of its pod")
                .doesNotContain("start again at zero");
    }

    @Test
    void should_say_the_router_stays_unready_while_each_new_pod_downloads_its_model_when_policies_run_in_process() {
        // given
        ChartRender render = chart().ciValues("in-process-values.yaml");

        // when
        String notes = render.notes();

        // then
        assertThat(notes)
                .contains(
                        "the router stays unready until their files are in\n/var/lib/hybrid-router/models and loaded.")
                .contains("Each new pod downloads them into its emptyDir")
                .contains("rollout status deployment/hr-hybrid-router --timeout=30m")
                .doesNotContain("-slm-");
    }

    @Test
    void should_say_the_files_must_already_be_there_when_in_process_models_are_offline() {
        // given
        ChartRender render = chart().ciValues("in-process-values.yaml")
                .set("models.offline", "true")
                .set("models.persistence.existingClaim", "router-models");

        // when
        String notes = render.notes();

        // then
        assertThat(notes)
                .contains("With models.offline nothing is downloaded: the files must already be there.")
                .doesNotContain("downloads them");
    }

    @Test
    void should_leave_out_the_model_download_note_when_no_policy_runs_in_process() {
        // given the defaults, whose policy calls an Ollama server
        ChartRender render = chart();

        // when
        String notes = render.notes();

        // then
        assertThat(notes)
                .contains("The router needs about a minute to start (embedding model, classifier). Wait for it:")
                .doesNotContain("in process")
                .contains("rollout status deployment/hr-hybrid-router\n");
    }
}
