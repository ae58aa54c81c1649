package dev.hybridrouter.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code helm template} run of the chart through helm-java (the real Helm engine, in process,
 * offline): value files, inline values as YAML text, {@code --set} pairs and the Kubernetes version
 * the cluster is assumed to run.
 */
final class ChartRender {

    static final String RELEASE = "hr";
    static final String NAMESPACE = "ai";
    /** The router's resource name for release {@link #RELEASE}: release + chart name. */
    static final String FULLNAME = "hr-hybrid-router";
    /**
     * The cluster version the tests assume unless told otherwise. Plain {@code helm template} assumes
     * v1.20.0; {@code helm install} uses the real cluster's version.
     */
    static final String DEFAULT_KUBE_VERSION = "v1.31.0";

    private static final String CHART_DIR_PROPERTY = "hybrid-router.chart.dir";

    private final List<Path> valuesFiles = new ArrayList<>();
    private final Map<String, String> sets = new LinkedHashMap<>();
    private String releaseName = RELEASE;
    private String kubeVersion = DEFAULT_KUBE_VERSION;

    private ChartRender() {}

    static ChartRender chart() {
        return new ChartRender();
    }

    /**
     * The chart directory: the {@code hybrid-router.chart.dir} system property (set by the module's
     * surefire configuration), else {@code hybrid-router} under the working directory or its {@code
     * helm} child, so the tests also run from an IDE started at the module or at the repository root.
     */
    static Path chartDir() {
        String configured = System.getProperty(CHART_DIR_PROPERTY);
        List<Path> candidates = new ArrayList<>();
        if (configured != null && !configured.isBlank()) {
            candidates.add(Path.of(configured));
        }
        Path workingDir = Path.of("").toAbsolutePath();
        candidates.add(workingDir.resolve("hybrid-router"));
        candidates.add(workingDir.resolve("helm").resolve("hybrid-router"));
        return candidates.stream()
                .filter(dir -> Files.isRegularFile(dir.resolve("Chart.yaml")))
                .findFirst()
                .map(Path::normalize)
                .orElseThrow(() -> new IllegalStateException("hybrid-router chart not found; looked in " + candidates));
    }

    /** A value set of the chart's {@code ci/} directory, e.g. {@code slm-servers-values.yaml}. */
    ChartRender ciValues(String fileName) {
        Path file = chartDir().resolve("ci").resolve(fileName);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no such ci value set: " + file);
        }
        valuesFiles.add(file);
        return this;
    }

    /** Values given as YAML text, as a user's {@code -f my-values.yaml} would. */
    ChartRender values(String yaml) {
        try {
            Path file = Files.createTempFile("hybrid-router-values-", ".yaml");
            file.toFile().deleteOnExit();
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
            valuesFiles.add(file);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A {@code --set key=value} pair. */
    ChartRender set(String key, String value) {
        sets.put(key, value);
        return this;
    }

    ChartRender releaseName(String name) {
        this.releaseName = name;
        return this;
    }

    /** The cluster's Kubernetes version, as {@code helm template --kube-version} takes it. */
    ChartRender kubeVersion(String version) {
        this.kubeVersion = version;
        return this;
    }

    /** Renders the chart; a failing render throws {@link IllegalStateException} with Helm's message. */
    Manifests render() {
        return Manifests.parse(renderText());
    }

    /**
     * The NOTES.txt text {@code helm install} would print, from a client-only dry-run install (no
     * cluster is contacted).
     */
    String notes() {
        InstallCommand install = new Helm(chartDir())
                .install()
                .withName(releaseName)
                .withNamespace(NAMESPACE)
                .withKubeVersion(kubeVersion)
                .dryRun()
                .clientOnly();
        valuesFiles.forEach(install::withValuesFile);
        sets.forEach(install::set);
        String output = install.call().getOutput();
        int notes = output.indexOf("NOTES:");
        return notes < 0 ? "" : output.substring(notes);
    }

    String renderText() {
        TemplateCommand template = new Helm(chartDir())
                .template()
                .withName(releaseName)
                .withNamespace(NAMESPACE)
                .withKubeVersion(kubeVersion);
        valuesFiles.forEach(template::withValuesFile);
        sets.forEach(template::set);
        return template.call();
    }
}
