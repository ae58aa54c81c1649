package dev.hybridrouter.router.routing;

/** The request's {@code model} names no domain, specialist or large model of the policy. */
public class UnknownModelException extends RuntimeException {

    private final String model;

    public UnknownModelException(String model) {
        super("The model '" + model + "' does not exist");
        this.model = model;
    }

    public String model() {
        return model;
    }
}
