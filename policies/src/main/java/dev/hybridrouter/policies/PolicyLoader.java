package dev.hybridrouter.policies;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Reads and validates policy files (YAML, format in {@code docs/policies.md}, JSON Schema in {@code
 * dev/hybridrouter/policies/policy.schema.json}).
 *
 * <p>A policy that breaks any rule is rejected with a {@link PolicyException} listing every problem
 * found, each with its file, line and column. {@code ${NAME}} and {@code ${NAME:-default}} in string
 * values are replaced from the environment. A valid policy gets every default it leaves out from {@code
 * defaults.yaml} and is then bound to the {@link Policy} records.
 */
public final class PolicyLoader {

    private PolicyLoader() {}

    /**
     * Loads one policy file, taking {@code ${NAME}} values from the process environment.
     *
     * @throws PolicyException if the file cannot be read or is not a valid policy
     */
    public static Policy load(Path file) {
        return load(file, System::getenv);
    }

    /**
     * Loads one policy file.
     *
     * @param environment gives the value of an environment variable, or {@code null} when it is unset
     * @throws PolicyException if the file cannot be read or is not a valid policy
     */
    public static Policy load(Path file, Function<String, String> environment) {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (IOException e) {
            throw new PolicyException(List.of(PolicyError.ofSource(file.toString(), "cannot be read: " + e)));
        }
        return parse(file.toString(), yaml, environment);
    }

    /**
     * Parses a policy held in memory, e.g. one bundled on the classpath, taking {@code ${NAME}} values
     * from the process environment.
     *
     * @param sourceName names the policy in errors; its file name without extension is the default name
     * @throws PolicyException if the text is not a valid policy
     */
    public static Policy parse(String sourceName, String yaml) {
        return parse(sourceName, yaml, System::getenv);
    }

    /**
     * Parses a policy held in memory.
     *
     * @param sourceName names the policy in errors; its file name without extension is the default name
     * @param environment gives the value of an environment variable, or {@code null} when it is unset
     * @throws PolicyException if the text is not a valid policy
     */
    public static Policy parse(String sourceName, String yaml, Function<String, String> environment) {
        return read(sourceName, yaml, environment).policy();
    }

    /** A valid policy, and where its name is given ({@code null} when it comes from the file name). */
    record Read(Policy policy, Position namePosition) {}

    static Read read(String sourceName, String yaml, Function<String, String> environment) {
        var problems = new Problems(sourceName);
        YamlDocument document = YamlDocument.parse(yaml, environment, problems).orElseThrow(problems::exception);
        PolicySchema.POLICY.validate(document, problems);
        PolicyRules.check(document, problems);
        problems.throwIfAny();
        Pointer name = Pointer.ROOT.property("name");
        boolean named = document.root().has("name");
        Policy policy =
                PolicyBinding.bind(PolicyDefaults.apply(document.root(), defaultName(sourceName)), Policy.class);
        return new Read(policy, named ? document.keyAt(name) : null);
    }

    private static String defaultName(String sourceName) {
        String fileName = sourceName.substring(Math.max(sourceName.lastIndexOf('/'), sourceName.lastIndexOf('\\')) + 1);
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }
}
