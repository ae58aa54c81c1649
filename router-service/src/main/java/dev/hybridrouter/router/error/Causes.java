package dev.hybridrouter.router.error;

/** Looks through a failure's cause chain. */
public final class Causes {

    private Causes() {}

    /** The first throwable in the cause chain (the failure itself included) of this type, or {@code null}. */
    public static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
