package dev.hybridrouter.router.tenant;

import dev.hybridrouter.policies.Tenants;
import dev.hybridrouter.router.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpHeaders;

/**
 * The callers of one tenants file by the SHA-256 of their keys. A key is never kept, logged or compared in clear:
 * the request's key is hashed and the hash looked up.
 */
final class ApiKeys {

    /** The Azure OpenAI style header, for clients that send the key there. */
    static final String API_KEY_HEADER = "api-key";

    private static final String BEARER = "bearer ";

    private final Tenants tenants;
    private final Map<String, Tenants.Tenant> byHash = new HashMap<>();
    private final List<String> admin;

    ApiKeys(Tenants tenants) {
        this.tenants = tenants;
        tenants.tenants().values().forEach(tenant -> tenant.apiKeySha256().forEach(hash -> byHash.put(hash, tenant)));
        this.admin = tenants.admin() == null ? List.of() : tenants.admin().apiKeySha256();
    }

    /** The tenants file these keys were read from. */
    Tenants tenants() {
        return tenants;
    }

    Optional<Tenants.Tenant> tenant(String key) {
        return Optional.ofNullable(byHash.get(sha256(key)));
    }

    boolean isAdmin(String key) {
        return admin.contains(sha256(key));
    }

    /**
     * The key a request carries: {@code Authorization: Bearer KEY} (the scheme in any case), else {@code api-key:
     * KEY}; empty when it has none.
     */
    static Optional<String> of(HttpHeaders headers) {
        String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization != null
                && authorization.length() > BEARER.length()
                && authorization
                        .substring(0, BEARER.length())
                        .toLowerCase(Locale.ROOT)
                        .equals(BEARER)) {
            String key = authorization.substring(BEARER.length()).strip();
            if (!key.isEmpty()) {
                return Optional.of(key);
            }
        }
        String apiKey = headers.getFirst(API_KEY_HEADER);
        return apiKey == null || apiKey.isBlank() ? Optional.empty() : Optional.of(apiKey.strip());
    }

    /** The SHA-256 of a key, as the tenants file writes it: 64 lowercase hex digits. */
    static String sha256(String key) {
        return Sha256.hex(key.getBytes(StandardCharsets.UTF_8));
    }
}
