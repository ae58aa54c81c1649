package dev.hybridrouter.helm;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The documents of a rendered chart as fabric8 model objects. Kinds fabric8 does not know (the
 * ServiceMonitor) come back as {@code GenericKubernetesResource}.
 */
record Manifests(List<HasMetadata> resources) {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    Manifests {
        resources = List.copyOf(resources);
    }

    static Manifests parse(String multiDocumentYaml) {
        List<HasMetadata> resources = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(multiDocumentYaml)) {
            if (document.lines().allMatch(line -> line.isBlank() || line.startsWith("#"))) {
                continue;
            }
            resources.add(SERIALIZATION.unmarshal(document, HasMetadata.class));
        }
        return new Manifests(resources);
    }

    /** Any YAML mapping (e.g. a policy file out of a ConfigMap) as nested maps and lists. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> parseYaml(String yaml) {
        return SERIALIZATION.unmarshal(yaml, Map.class);
    }

    /** Every resource of this kind (e.g. {@code "Deployment"}). */
    List<HasMetadata> ofKind(String kind) {
        return resources.stream().filter(r -> kind.equals(r.getKind())).toList();
    }

    /** The resource of this type and name, if rendered. */
    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return resources.stream()
                .filter(type::isInstance)
                .map(type::cast)
                .filter(r -> name.equals(r.getMetadata().getName()))
                .findFirst();
    }

    /** The resource of this type and name; fails the test when it was not rendered. */
    <T extends HasMetadata> T get(Class<T> type, String name) {
        return find(type, name)
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name + " in "
                        + resources.stream()
                                .map(r -> r.getKind() + "/" + r.getMetadata().getName())
                                .toList()));
    }
}
