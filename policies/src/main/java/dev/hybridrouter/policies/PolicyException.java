package dev.hybridrouter.policies;

/** A policy file that cannot be used, with a message saying where and why. */
public class PolicyException extends RuntimeException {

    public PolicyException(String message) {
        super(message);
    }
}
