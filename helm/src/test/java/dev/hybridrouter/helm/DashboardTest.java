package dev.hybridrouter.helm;

import static dev.hybridrouter.helm.ChartRender.chart;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.helm.PromQlReferences.LabelMatcher;
import dev.hybridrouter.helm.PromQlReferences.Selector;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Grafana dashboard (dashboards/hybrid-router.json) and the ConfigMap that ships it to Grafana's dashboard
 * sidecar when {@code grafana.dashboard.enabled}. Its queries may only name the series the router exports, with
 * their labels (docs/observability.md): a renamed metric or label fails here, not in an operator's Grafana.
 */
class DashboardTest {

    private static final String CONFIG_MAP = "hr-hybrid-router-dashboard";
    private static final String KEY = "hybrid-router.json";

    /** The series the router exports and the labels of each: the dashboard's contract. */
    private static final Map<String, Set<String>> SERIES = Map.of(
            "router_requests_total",
            Set.of("tenant", "policy", "route", "target", "reason", "escalated", "degraded", "outcome", "cache"),
            "router_tokens_total",
            Set.of("tenant", "policy", "target", "kind"),
            "router_cost_estimated_total",
            Set.of("tenant", "policy", "target"),
            "router_cost_baseline_estimated_total",
            Set.of("tenant", "policy"),
            "router_classification_seconds_bucket",
            Set.of("policy", "le"),
            "router_upstream_seconds_bucket",
            Set.of("target", "outcome", "stream", "le"),
            "router_upstream_first_token_seconds_bucket",
            Set.of("target", "le"),
            "resilience4j_circuitbreaker_state",
            Set.of("name", "state"));

    /** Labels with a fixed set of values: a matcher on any other value would never match. */
    private static final Map<String, Set<String>> VALUES = Map.of(
            "escalated", Set.of("true", "false"),
            "degraded", Set.of("true", "false"),
            "cache", Set.of("true", "false"),
            "kind", Set.of("prompt", "completion"),
            "reason", Set.of("confident", "low-confidence", "out-of-scope", "forced"),
            "state", Set.of("closed", "open", "half_open", "forced_open", "disabled", "metrics_only"));

    /** Variables Grafana itself defines. */
    private static final Set<String> GRAFANA_VARIABLES = Set.of("__rate_interval", "__range", "__interval");

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*([A-Za-z_][A-Za-z0-9_]*)\\)");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void should_render_no_dashboard_when_values_are_the_defaults() {
        // when
        Manifests manifests = chart().render();

        // then
        assertThat(manifests.find(ConfigMap.class, CONFIG_MAP)).isEmpty();
    }

    @Test
    void should_ship_the_dashboard_file_as_it_is_with_the_sidecar_label_when_enabled() throws IOException {
        // when
        ConfigMap configMap =
                chart().set("grafana.dashboard.enabled", "true").render().get(ConfigMap.class, CONFIG_MAP);

        // then
        assertThat(configMap.getMetadata().getNamespace()).isEqualTo(ChartRender.NAMESPACE);
        assertThat(configMap.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(configMap.getMetadata().getAnnotations()).isNullOrEmpty();
        assertThat(configMap.getData())
                .containsOnlyKeys(KEY)
                .containsEntry(KEY, Files.readString(dashboardFile()).strip());
    }

    @Test
    void should_put_the_config_map_where_the_sidecar_looks_when_label_namespace_and_annotations_are_set() {
        // when
        ConfigMap configMap = chart().values(
                        """
                grafana:
                  dashboard:
                    enabled: true
                    label: grafana_dashboard_llm
                    labelValue: "yes"
                    namespace: monitoring
                    annotations:
                      grafana_folder: LLM
                """)
                .render()
                .get(ConfigMap.class, CONFIG_MAP);

        // then
        assertThat(configMap.getMetadata().getNamespace()).isEqualTo("monitoring");
        assertThat(configMap.getMetadata().getLabels())
                .containsEntry("grafana_dashboard_llm", "yes")
                .doesNotContainKey("grafana_dashboard");
        assertThat(configMap.getMetadata().getAnnotations()).containsExactlyEntriesOf(Map.of("grafana_folder", "LLM"));
    }

    @Test
    void should_be_a_dashboard_on_a_prometheus_data_source_variable_with_tenant_and_policy_variables() {
        // when
        JsonNode dashboard = shippedDashboard();

        // then
        assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(39);
        assertThat(dashboard.path("uid").asString()).isEqualTo("hybrid-router");
        JsonNode datasource = variable(dashboard, "datasource");
        assertThat(datasource.path("type").asString()).isEqualTo("datasource");
        assertThat(datasource.path("query").asString()).isEqualTo("prometheus");
        assertThat(variableQuery(variable(dashboard, "tenant")))
                .isEqualTo("label_values(router_requests_total, tenant)");
        assertThat(variableQuery(variable(dashboard, "policy")))
                .isEqualTo("label_values(router_requests_total{tenant=~\"$tenant\"}, policy)");
        List<JsonNode> panels = panels(dashboard);
        assertThat(panels).extracting(panel -> panel.path("id").asInt()).doesNotHaveDuplicates();
        assertThat(panels)
                .filteredOn(panel -> !panel.path("type").asString().equals("row"))
                .isNotEmpty()
                .allSatisfy(panel -> {
                    assertThat(panel.path("datasource").path("uid").asString())
                            .as("data source of panel %s", panel.path("title"))
                            .isEqualTo("${datasource}");
                    assertThat(panel.path("targets").values())
                            .as("queries of panel %s", panel.path("title"))
                            .isNotEmpty()
                            .allSatisfy(target -> assertThat(target.path("datasource")
                                            .path("uid")
                                            .asString())
                                    .isEqualTo("${datasource}"));
                });
    }

    @Test
    void should_query_only_the_series_and_labels_the_router_exports_when_any_panel_or_variable_is_read() {
        // given
        JsonNode dashboard = shippedDashboard();

        // when
        List<String> problems = problems(dashboard);

        // then
        assertThat(problems).isEmpty();
        assertThat(expressions(dashboard).stream()
                        .flatMap(expression -> PromQlReferences.of(expression).selectors().stream())
                        .map(Selector::metric))
                .as("every exported series has a panel")
                .containsAll(SERIES.keySet());
    }

    @Test
    void should_show_escalation_rate_and_estimated_savings_per_tenant() {
        // given
        List<JsonNode> panels = panels(shippedDashboard());

        // when
        List<String> escalationPerTenant = panels.stream()
                .filter(panel -> queries(panel)
                        .anyMatch(query -> groupsByTenant(query)
                                && PromQlReferences.of(query).selectors().stream()
                                        .anyMatch(s ->
                                                s.matchers().contains(new LabelMatcher("escalated", "=", "true")))))
                .map(panel -> panel.path("type").asString())
                .toList();
        List<String> savingsPerTenant = panels.stream()
                .filter(panel -> queries(panel)
                        .anyMatch(query -> groupsByTenant(query)
                                && metrics(query)
                                        .containsAll(Set.of(
                                                "router_cost_baseline_estimated_total", "router_cost_estimated_total"))
                                && query.contains("- (")))
                .map(panel -> panel.path("type").asString())
                .toList();

        // then: the "done when": both read from metrics alone
        assertThat(escalationPerTenant).contains("timeseries");
        assertThat(savingsPerTenant).contains("stat", "timeseries");
    }

    @Test
    void should_report_a_renamed_metric_an_unknown_label_and_an_undefined_variable_when_checking_queries() {
        // given a dashboard whose queries went stale
        JsonNode stale = JSON.readTree(
                """
                {"templating": {"list": [{"name": "tenant", "type": "query",
                   "query": {"query": "label_values(router_requests_total, tenants)"}}]},
                 "panels": [{"title": "stale", "type": "timeseries", "targets": [
                   {"expr": "sum by (tenant) (rate(router_request_total{tenant=~\\"$tenant\\"}[$__rate_interval]))"},
                   {"expr": "sum by (tenant) (rate(router_upstream_seconds_bucket{stream=\\"true\\"}[5m]))"},
                   {"expr": "sum(rate(router_requests_total{escalated=\\"yes\\", policy=~\\"$policy\\"}[5m]))"}]}]}
                """);

        // when
        List<String> problems = problems(stale);

        // then
        assertThat(problems)
                .anySatisfy(p -> assertThat(p).contains("label_values", "tenants"))
                .anySatisfy(p -> assertThat(p).contains("router_request_total"))
                .anySatisfy(p -> assertThat(p).contains("groups by tenant"))
                .anySatisfy(p -> assertThat(p).contains("escalated", "yes"))
                .anySatisfy(p -> assertThat(p).contains("$policy"));
    }

    /** Everything in the dashboard's queries that the router does not export or Grafana does not define. */
    private static List<String> problems(JsonNode dashboard) {
        Set<String> variables = new HashSet<>(GRAFANA_VARIABLES);
        dashboard
                .path("templating")
                .path("list")
                .values()
                .forEach(v -> variables.add(v.path("name").asString()));
        List<String> problems = new ArrayList<>();
        for (JsonNode variable : dashboard.path("templating").path("list").values()) {
            if (!variable.path("type").asString().equals("query")) {
                continue;
            }
            String query = variableQuery(variable);
            Matcher labelValues = LABEL_VALUES.matcher(query);
            if (!labelValues.matches()) {
                problems.add("variable " + variable.path("name") + ": not label_values(series, label): " + query);
                continue;
            }
            problems.addAll(problems(labelValues.group(1), variables));
            for (String metric : metrics(labelValues.group(1))) {
                if (!SERIES.getOrDefault(metric, Set.of()).contains(labelValues.group(2))) {
                    problems.add(query + ": " + metric + " has no label " + labelValues.group(2));
                }
            }
        }
        expressions(dashboard).forEach(expression -> problems.addAll(problems(expression, variables)));
        return problems;
    }

    private static List<String> problems(String expression, Set<String> variables) {
        PromQlReferences references = PromQlReferences.of(expression);
        List<String> problems = new ArrayList<>();
        Set<String> labels = new HashSet<>();
        for (Selector selector : references.selectors()) {
            Set<String> known = SERIES.get(selector.metric());
            if (known == null) {
                problems.add(expression + ": the router exports no series " + selector.metric());
                continue;
            }
            labels.addAll(known);
            for (LabelMatcher matcher : selector.matchers()) {
                if (!known.contains(matcher.label())) {
                    problems.add(expression + ": " + selector.metric() + " has no label " + matcher.label());
                }
                Set<String> values = VALUES.get(matcher.label());
                if (values != null && !matcher.value().contains("$")) {
                    for (String value : matcher.value().split("\\|")) {
                        if (!values.contains(value)) {
                            problems.add(expression + ": " + matcher.label() + " is never " + value);
                        }
                    }
                }
            }
        }
        for (String label : references.groupingLabels()) {
            if (!labels.contains(label)) {
                problems.add(expression + ": groups by " + label + ", a label none of its series has");
            }
        }
        for (String variable : references.variables()) {
            if (!variables.contains(variable)) {
                problems.add(expression + ": uses $" + variable + ", which the dashboard does not define");
            }
        }
        return problems;
    }

    private static Set<String> metrics(String expression) {
        Set<String> metrics = new HashSet<>();
        PromQlReferences.of(expression).selectors().forEach(selector -> metrics.add(selector.metric()));
        return metrics;
    }

    private static boolean groupsByTenant(String expression) {
        return PromQlReferences.of(expression).groupingLabels().contains("tenant");
    }

    private static JsonNode shippedDashboard() {
        ConfigMap configMap =
                chart().set("grafana.dashboard.enabled", "true").render().get(ConfigMap.class, CONFIG_MAP);
        return JSON.readTree(configMap.getData().get(KEY));
    }

    private static Path dashboardFile() {
        return ChartRender.chartDir().resolve("dashboards").resolve(KEY);
    }

    /** Every panel, those inside collapsed rows included. */
    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels").values()) {
            panels.add(panel);
            panel.path("panels").values().forEach(panels::add);
        }
        return panels;
    }

    private static Stream<String> queries(JsonNode panel) {
        return panel.path("targets").values().stream()
                .map(target -> target.path("expr").asString());
    }

    private static List<String> expressions(JsonNode dashboard) {
        return panels(dashboard).stream().flatMap(DashboardTest::queries).toList();
    }

    private static JsonNode variable(JsonNode dashboard, String name) {
        return dashboard.path("templating").path("list").values().stream()
                .filter(v -> v.path("name").asString().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no dashboard variable " + name));
    }

    /** A query variable's query: an object in Grafana 10 and later, a string before. */
    private static String variableQuery(JsonNode variable) {
        JsonNode query = variable.path("query");
        return query.isObject() ? query.path("query").asString() : query.asString();
    }
}
