package dev.hybridrouter.policies;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The valid policies read from one location, by name.
 *
 * @param location the file or directory they were read from
 * @param policies the policies by name, in file name order
 */
public record PolicySet(String location, Map<String, Policy> policies) {

    /** The name of the policy used when no other is chosen. */
    public static final String DEFAULT_NAME = "default";

    public PolicySet {
        policies = Collections.unmodifiableMap(new LinkedHashMap<>(policies));
    }

    /** The policy with this name, if any. */
    public Optional<Policy> policy(String name) {
        return Optional.ofNullable(policies.get(name));
    }

    /**
     * The policy named {@value #DEFAULT_NAME}, or else the only policy.
     *
     * @throws PolicyException if there are several policies and none is named {@value #DEFAULT_NAME}
     */
    public Policy defaultPolicy() {
        Policy named = policies.get(DEFAULT_NAME);
        if (named != null) {
            return named;
        }
        if (policies.size() == 1) {
            return policies.values().iterator().next();
        }
        throw new PolicyException(List.of(PolicyError.ofSource(
                location,
                "has " + policies.size() + " policies (" + String.join(", ", policies.keySet())
                        + ") and none is named '" + DEFAULT_NAME + "'; name one of them '" + DEFAULT_NAME
                        + "' to make it the default")));
    }
}
