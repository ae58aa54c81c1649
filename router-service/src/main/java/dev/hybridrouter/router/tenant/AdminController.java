package dev.hybridrouter.router.tenant;

import dev.hybridrouter.policies.Tenants;
import dev.hybridrouter.router.policy.PolicyRegistry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The admin endpoints, behind the admin key when tenants are configured ({@link TenantFilter}): what is in force,
 * and a reload now instead of at the next check. Key hashes are never shown.
 */
@RestController
class AdminController {

    private final PolicyRegistry registry;

    AdminController(PolicyRegistry registry) {
        this.registry = registry;
    }

    /**
     * @param policies the policies in force
     * @param tenants each tenant's policy and limits, or {@code null} in single-user mode
     * @param lastError why the last change was rejected, or {@code null}
     */
    record AdminStatus(
            String location,
            List<String> policies,
            String tenantsFile,
            Map<String, TenantView> tenants,
            Instant loadedAt,
            Instant checkedAt,
            String lastError) {}

    /** @param keys how many keys the tenant may call with */
    record TenantView(String policy, int keys, Tenants.RateLimit rateLimit) {}

    @GetMapping("/admin/status")
    AdminStatus status() {
        PolicyRegistry.Status status = registry.status();
        Tenants tenants = registry.served().tenants();
        return new AdminStatus(
                status.location(),
                status.policies(),
                status.tenantsFile(),
                tenants == null
                        ? null
                        : tenants.tenants().entrySet().stream()
                                .collect(Collectors.toMap(
                                        Map.Entry::getKey,
                                        e -> new TenantView(
                                                e.getValue().policy(),
                                                e.getValue().apiKeySha256().size(),
                                                e.getValue().rateLimit()),
                                        (a, b) -> a,
                                        LinkedHashMap::new)),
                status.loadedAt(),
                status.checkedAt(),
                status.lastError());
    }

    /** @param purged how many cached answers each policy forgot, by policy */
    record Purged(Map<String, Long> purged) {}

    /** Empties every policy's response cache, e.g. after a model behind it changed. */
    @PostMapping("/admin/cache/purge")
    Mono<Purged> purgeCache() {
        return Flux.fromIterable(registry.served().policies().entrySet())
                .concatMap(entry -> entry.getValue().cache().purge().map(count -> Map.entry(entry.getKey(), count)))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue, TreeMap::new)
                .map(Purged::new);
    }

    /** Checks the policy location and the tenants file now; a change is put in force, or rejected as on a reload. */
    @PostMapping("/admin/reload")
    Mono<AdminStatus> reload() {
        return Mono.fromCallable(() -> {
                    registry.reloadIfChanged();
                    return status();
                })
                .subscribeOn(Schedulers.boundedElastic());
    }
}
