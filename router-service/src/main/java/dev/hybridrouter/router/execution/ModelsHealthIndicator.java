package dev.hybridrouter.router.execution;

import dev.hybridrouter.specialists.inprocess.InProcessEngine;
import dev.hybridrouter.specialists.inprocess.ModelStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} component {@code models}, part of readiness: every in-process model, its load
 * state, memory and download. {@code OUT_OF_SERVICE} while a model file downloads or an eager model loads,
 * so that no traffic arrives before the specialists can answer; {@value UpstreamsHealthIndicator#DEGRADED}
 * (still ready) when a model is missing or was refused, since every other specialist keeps serving and the
 * details say which file failed and why.
 */
@Component("models")
class ModelsHealthIndicator implements HealthIndicator {

    private final InProcessEngine engine;

    ModelsHealthIndicator(InProcessEngine engine) {
        this.engine = engine;
    }

    @Override
    public Health health() {
        List<InProcessEngine.Report> reports = engine.status();
        Map<String, Object> models = new TreeMap<>();
        for (InProcessEngine.Report report : reports) {
            models.put(report.status().file().toString(), details(report));
        }
        Status status = reports.stream().anyMatch(InProcessEngine.Report::starting)
                ? Status.OUT_OF_SERVICE
                : reports.stream().anyMatch(InProcessEngine.Report::broken)
                        ? new Status(UpstreamsHealthIndicator.DEGRADED)
                        : Status.UP;
        return Health.status(status).withDetail("models", models).build();
    }

    private static Map<String, Object> details(InProcessEngine.Report report) {
        ModelStatus status = report.status();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("state", status.state().name());
        if (status.reason() != null) {
            details.put("reason", status.reason());
        }
        details.put("since", status.since().toString());
        details.put("load", report.eager() ? "eager" : "lazy");
        details.put("fileSizeBytes", status.fileSizeBytes());
        if (status.architecture() != null) {
            details.put("architecture", status.architecture());
        }
        details.put("contextSize", status.contextSize());
        details.put("maxConcurrent", status.maxConcurrent());
        details.put("running", status.running());
        details.put("queued", status.queued());
        if (status.kvCacheBytes() != null) {
            details.put("kvCacheBytes", status.kvCacheBytes());
        }
        if (status.residentGrowthBytes() != null) {
            details.put("residentGrowthBytes", status.residentGrowthBytes());
        }
        InProcessEngine.Download download = report.download();
        if (download != null) {
            Map<String, Object> fetch = new LinkedHashMap<>();
            fetch.put("url", download.url().toString());
            fetch.put("state", download.state().name());
            if (download.reason() != null) {
                fetch.put("reason", download.reason());
            }
            details.put("download", fetch);
        }
        return details;
    }
}
