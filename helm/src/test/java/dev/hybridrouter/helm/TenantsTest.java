package dev.hybridrouter.helm;

import static dev.hybridrouter.helm.ChartRender.FULLNAME;
import static dev.hybridrouter.helm.ChartRender.chart;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.hybridrouter.policies.PolicySet;
import dev.hybridrouter.policies.PolicySource;
import dev.hybridrouter.policies.Tenants;
import dev.hybridrouter.policies.TenantsLoader;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tenants file ({@code ROUTER_TENANTS_FILE}) read from an existing Secret: mounted as a directory so that
 * Secret updates reach the router's reload, never created by the chart, and single-user mode said out loud
 * when it is not named.
 */
class TenantsTest {

    private static final String MOUNT_PATH = "/etc/hybrid-router/tenants";

    @TempDir
    Path dir;

    private static PodSpec pod(Manifests manifests) {
        return manifests.get(Deployment.class, FULLNAME).getSpec().getTemplate().getSpec();
    }

    private static Container router(Manifests manifests) {
        return pod(manifests).getContainers().stream()
                .filter(c -> c.getName().equals("router"))
                .findFirst()
                .orElseThrow();
    }

    private static Optional<EnvVar> env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst();
    }

    private static Optional<Volume> volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst();
    }

    private static Optional<VolumeMount> mount(Container container, String name) {
        return container.getVolumeMounts().stream()
                .filter(m -> m.getName().equals(name))
                .findFirst();
    }

    @Test
    void should_mount_only_the_key_of_the_secret_as_a_read_only_directory_when_an_existing_secret_is_named() {
        // given
        ChartRender render = chart().set("tenants.existingSecret", "router-tenants");

        // when
        Manifests manifests = render.render();

        // then: the Secret's one key, no other
        Volume volume = volume(pod(manifests), "tenants").orElseThrow();
        assertThat(volume.getSecret().getSecretName()).isEqualTo("router-tenants");
        assertThat(volume.getSecret().getOptional())
                .as("a missing Secret must stop the pod, not start it in single-user mode")
                .isNotEqualTo(Boolean.TRUE);
        assertThat(volume.getSecret().getItems())
                .extracting(KeyToPath::getKey, KeyToPath::getPath)
                .containsExactly(tuple("tenants.yaml", "tenants.yaml"));
        // and: a directory, so that the kubelet's ..data swap brings updates to the router's reload
        Container router = router(manifests);
        VolumeMount mount = mount(router, "tenants").orElseThrow();
        assertThat(mount.getMountPath()).isEqualTo(MOUNT_PATH);
        assertThat(mount.getSubPath()).isNull();
        assertThat(mount.getSubPathExpr()).isNull();
        assertThat(mount.getReadOnly()).isTrue();
        assertThat(env(router, "ROUTER_TENANTS_FILE"))
                .get()
                .extracting(EnvVar::getValue)
                .isEqualTo(MOUNT_PATH + "/tenants.yaml");
    }

    @Test
    void should_follow_the_key_and_the_mount_path_when_both_are_set() {
        // given
        ChartRender render = chart().values(
                        """
                tenants:
                  existingSecret: llm-callers
                  key: callers.yml
                  mountPath: /config/callers/
                """);

        // when
        Manifests manifests = render.render();

        // then
        assertThat(volume(pod(manifests), "tenants").orElseThrow().getSecret().getItems())
                .extracting(KeyToPath::getKey, KeyToPath::getPath)
                .containsExactly(tuple("callers.yml", "callers.yml"));
        Container router = router(manifests);
        assertThat(mount(router, "tenants").orElseThrow().getMountPath()).isEqualTo("/config/callers/");
        assertThat(env(router, "ROUTER_TENANTS_FILE"))
                .get()
                .extracting(EnvVar::getValue)
                .isEqualTo("/config/callers/callers.yml");
    }

    @Test
    void should_render_no_tenants_volume_mount_or_file_when_values_are_the_defaults() {
        // given
        ChartRender render = chart();

        // when
        Manifests manifests = render.render();

        // then: single-user mode
        assertThat(volume(pod(manifests), "tenants")).isEmpty();
        assertThat(pod(manifests).getVolumes()).noneMatch(v -> v.getSecret() != null);
        Container router = router(manifests);
        assertThat(mount(router, "tenants")).isEmpty();
        assertThat(env(router, "ROUTER_TENANTS_FILE")).isEmpty();
    }

    @Test
    void should_create_no_secret_and_no_checksum_for_it_when_an_existing_secret_is_named() {
        // given
        ChartRender without = chart();
        ChartRender with = chart().set("tenants.existingSecret", "router-tenants");

        // when
        Manifests plain = without.render();
        Manifests tenants = with.render();

        // then: the operator's Secret, reloaded by the router, not rolled by the chart
        assertThat(tenants.ofKind("Secret")).isEmpty();
        assertThat(pod(tenants).getVolumes()).hasSize(pod(plain).getVolumes().size() + 1);
        assertThat(tenants.get(Deployment.class, FULLNAME)
                        .getSpec()
                        .getTemplate()
                        .getMetadata()
                        .getAnnotations())
                .isEqualTo(plain.get(Deployment.class, FULLNAME)
                        .getSpec()
                        .getTemplate()
                        .getMetadata()
                        .getAnnotations());
    }

    @Test
    void should_reject_the_values_when_the_mount_path_is_the_policies_directory() {
        // given
        ChartRender render = chart().set("tenants.existingSecret", "router-tenants")
                .set("tenants.mountPath", "/etc/hybrid-router/policies/");

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tenants.mountPath \"/etc/hybrid-router/policies/\" overlaps"
                        + " \"/etc/hybrid-router/policies\" (policies.mountPath)");
    }

    @Test
    void should_reject_the_values_when_the_mount_path_holds_the_model_cache() {
        // given
        ChartRender render =
                chart().set("tenants.existingSecret", "router-tenants").set("tenants.mountPath", "/var/lib");

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("(models.cacheDir): give the tenants file a directory of its own");
    }

    @Test
    void should_reject_the_values_when_the_key_is_not_a_file_name() {
        // given
        ChartRender render =
                chart().set("tenants.existingSecret", "router-tenants").set("tenants.key", "../tenants.yaml");

        // when / then
        assertThatThrownBy(render::render)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/tenants/key");
    }

    @Test
    void should_warn_of_single_user_mode_and_show_how_to_name_tenants_when_no_secret_is_named() {
        // given
        ChartRender render = chart();

        // when
        String notes = render.notes();

        // then
        assertThat(notes)
                .contains("WARNING: tenants.existingSecret is empty, so the router runs in single-user mode: it"
                        + " serves any caller,\nwith any key or none")
                .contains("kubectl -n ai create secret generic router-tenants --from-file=tenants.yaml")
                .contains("helm upgrade hr <chart> --reuse-values --set tenants.existingSecret=router-tenants")
                .doesNotContain("Authorization")
                .doesNotContain("The Ingress exposes it");
    }

    @Test
    void should_warn_that_the_ingress_exposes_a_single_user_router_when_ingress_is_enabled_without_tenants() {
        // given
        ChartRender render = chart().ciValues("ingress-monitoring-pdb-values.yaml");

        // when
        String notes = render.notes();

        // then
        assertThat(notes)
                .contains("single-user mode")
                .contains("The Ingress exposes it beyond the cluster, at llm.example.com, to anyone who can reach"
                        + " it.");
    }

    @Test
    void should_send_a_tenant_key_in_the_example_call_when_an_existing_secret_is_named() {
        // given
        ChartRender render = chart().set("tenants.existingSecret", "router-tenants");

        // when
        String notes = render.notes();

        // then
        assertThat(notes)
                .contains(
                        """
                          curl -s http://localhost:8080/v1/chat/completions \\
                            -H 'Authorization: Bearer <tenant key>' \\
                            -H 'Content-Type: application/json' \\
                        """)
                .contains("Tenants come from Secret \"router-tenants\" (key tenants.yaml), read from\n"
                        + "/etc/hybrid-router/tenants/tenants.yaml: every call under /v1/ needs\n"
                        + "`Authorization: Bearer <tenant key>`")
                .doesNotContain("single-user mode");
    }

    @Test
    void should_send_a_tenant_key_to_the_ingress_host_when_ingress_and_tenants_are_set() {
        // given
        ChartRender render =
                chart().ciValues("ingress-monitoring-pdb-values.yaml").set("tenants.existingSecret", "router-tenants");

        // when
        String notes = render.notes();

        // then
        assertThat(notes)
                .contains(
                        """
                          curl -s https://llm.example.com/v1/chat/completions \\
                            -H 'Authorization: Bearer <tenant key>' \\
                        """)
                .doesNotContain("The Ingress exposes it");
    }

    @Test
    void should_accept_the_sample_tenants_file_of_the_kubernetes_guide_with_its_key_hashes_when_read_by_the_router()
            throws IOException {
        // given the guide's sample file and example key, and the policies the chart renders by default
        String guide = Files.readString(
                ChartRender.chartDir().getParent().getParent().resolve("docs").resolve("kubernetes.md"));
        String sample = match(guide, "(?s)```yaml\\n(# tenants\\.yaml\\n.*?)```");
        String acmeKey = match(guide, "(?m)^ACME_KEY=.*# e\\.g\\. ([0-9a-f]{64})$");
        String adminKey = match(guide, "(?m)^ADMIN_KEY=.*# e\\.g\\. ([0-9a-f]{64})$");
        String acmeHashShown =
                match(guide, "(?m)^printf %s \"\\$ACME_KEY\" \\| sha256sum +# e\\.g\\. ([0-9a-f]{64})  -$");
        PolicySet policies = renderedDefaultPolicies();

        // when
        Tenants tenants = TenantsLoader.parse(
                "docs/kubernetes.md",
                sample.getBytes(StandardCharsets.UTF_8),
                policies.policies().keySet(),
                variable -> null);

        // then
        assertThat(tenants.tenants().get("acme").apiKeySha256()).containsExactly(sha256(acmeKey));
        assertThat(tenants.admin().apiKeySha256()).containsExactly(sha256(adminKey));
        assertThat(acmeHashShown).as("the hash the guide says sha256sum prints").isEqualTo(sha256(acmeKey));
        assertThat(guide)
                .contains("kubectl -n llm create secret generic router-tenants --from-file=tenants.yaml")
                .contains("--set tenants.existingSecret=router-tenants");
    }

    private PolicySet renderedDefaultPolicies() throws IOException {
        ConfigMap policies = chart().render().get(ConfigMap.class, FULLNAME + "-policies");
        for (Map.Entry<String, String> file : policies.getData().entrySet()) {
            Files.writeString(dir.resolve(file.getKey()), file.getValue());
        }
        return new PolicySource(dir, variable -> "set-in-the-pod").load();
    }

    private static String match(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("%s in docs/kubernetes.md", regex).isTrue();
        return matcher.group(1);
    }

    private static String sha256(String key) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
