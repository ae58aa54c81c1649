package dev.hybridrouter.specialists.inprocess;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import java.lang.reflect.Field;
import java.util.Map;

/**
 * The two places where this package reaches past the public API of {@code de.kherud:llama} 4.2.0, both to keep
 * llama.cpp from taking the JVM down:
 *
 * <ul>
 *   <li>{@link #putRaw}: request fields the bindings have no setter for, chiefly {@code json_schema}. Passing
 *       a schema in the request lets llama.cpp convert it inside a {@code try}: a schema it cannot convert becomes
 *       a Java exception, where {@link LlamaModel#jsonSchemaToGrammar(String)} lets the C++ exception escape the
 *       JNI call and aborts the process.
 *   <li>{@link #isLoaded}: when llama.cpp's argument parser rejects a load option, the bindings' constructor
 *       returns without a native context and the next call dereferences null (SIGSEGV). Checking the handle turns
 *       that into a {@link ModelLoadException}.
 * </ul>
 *
 * Both fields are checked when this class loads, so a different bindings version fails at startup, not mid-request.
 */
final class NativeAccess {

    private static final Field PARAMETERS;
    private static final Field CONTEXT;

    static {
        try {
            PARAMETERS = Class.forName("de.kherud.llama.JsonParameters").getDeclaredField("parameters");
            PARAMETERS.setAccessible(true);
            CONTEXT = LlamaModel.class.getDeclaredField("ctx");
            CONTEXT.setAccessible(true);
            if (!Map.class.isAssignableFrom(PARAMETERS.getType()) || CONTEXT.getType() != long.class) {
                throw new IllegalStateException("unexpected field types");
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError(new IllegalStateException(
                    "de.kherud:llama is not the 4.2.0 this package was written against: " + e, e));
        }
    }

    private NativeAccess() {}

    /** Puts {@code rawJson} (already valid JSON text) as the value of {@code key} in the request. */
    @SuppressWarnings("unchecked")
    static InferenceParameters putRaw(InferenceParameters parameters, String key, String rawJson) {
        try {
            ((Map<String, String>) PARAMETERS.get(parameters)).put(key, rawJson);
            return parameters;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the constructor really created a native context. */
    static boolean isLoaded(LlamaModel model) {
        try {
            return CONTEXT.getLong(model) != 0L;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
