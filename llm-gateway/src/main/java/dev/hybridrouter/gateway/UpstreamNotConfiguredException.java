package dev.hybridrouter.gateway;

/** An upstream the policy names cannot be called as configured, e.g. its API key is not set. */
public class UpstreamNotConfiguredException extends RuntimeException {

    public UpstreamNotConfiguredException(String message) {
        super(message);
    }
}
