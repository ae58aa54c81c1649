package dev.hybridrouter.policies;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Where the policies come from: one policy file, or a directory holding one policy per {@code *.yaml}
 * or {@code *.yml} file. In a directory, hidden entries (names starting with a dot) and learned files
 * ({@code *.learned.yaml}) are skipped and symbolic links are followed, so a mounted Kubernetes ConfigMap
 * reads as its visible files. A policy with a {@code learning} block is read with what it learned: its
 * {@link LearnedExamples} file, when there is one.
 *
 * <p>For hot reload, call {@link #checkForChanges()} on a schedule: it reads the files' content, learned
 * files included, and only when it differs from what the previous check (or {@link #load()}) read does it
 * load the policies again, all or nothing. Thread-safe.
 */
public final class PolicySource {

    private final Path location;
    private final Function<String, String> environment;
    private byte[] lastFingerprint;
    /** The learned files of the policies last read. */
    private List<Path> learnedFiles = List.of();

    /** Policies at this file or directory, taking {@code ${NAME}} values from the process environment. */
    public PolicySource(Path location) {
        this(location, System::getenv);
    }

    /**
     * @param location a policy file, or a directory of them
     * @param environment gives the value of an environment variable, or {@code null} when it is unset
     */
    public PolicySource(Path location, Function<String, String> environment) {
        this.location = location;
        this.environment = environment;
    }

    /** The outcome of reading changed policy files: either every policy, or every problem. */
    public sealed interface Reload {

        /** All files are valid: serve these policies from now on. */
        record Loaded(PolicySet policies) implements Reload {}

        /** Some file is invalid: keep serving the previous policies and report these problems. */
        record Failed(PolicyException failure) implements Reload {}
    }

    /**
     * Reads and loads all policies now, whether or not they changed.
     *
     * @throws PolicyException listing every problem in every file
     */
    public synchronized PolicySet load() {
        lastFingerprint = null;
        Reload reload = checkForChanges().orElseThrow();
        if (reload instanceof Reload.Failed failed) {
            throw failed.failure();
        }
        return ((Reload.Loaded) reload).policies();
    }

    /**
     * Loads all policies again if any file's content, or the set of files, changed since the previous
     * check or load, whether that one succeeded or failed.
     *
     * @return empty when nothing changed; else the new policies, or every problem found
     */
    public synchronized Optional<Reload> checkForChanges() {
        List<SourceFile> files;
        try {
            files = list();
        } catch (IOException e) {
            String problem = "cannot be read: " + e;
            return changed(
                    digest(List.of(new SourceFile(location.toString(), problem.getBytes(StandardCharsets.UTF_8)))),
                    () -> failed(List.of(PolicyError.ofSource(location.toString(), problem))));
        }
        return changed(digest(files, learnedFiles), () -> loadAll(files));
    }

    /** The policy files' bytes and those of the learned files (missing ones as such). */
    private static byte[] digest(List<SourceFile> files, List<Path> learned) {
        List<SourceFile> all = new ArrayList<>(files);
        for (Path path : learned) {
            byte[] content;
            try {
                content = Files.readAllBytes(path);
            } catch (IOException e) {
                content = ("missing: " + e).getBytes(StandardCharsets.UTF_8);
            }
            all.add(new SourceFile(path.toString(), content));
        }
        return digest(all);
    }

    private Optional<Reload> changed(byte[] fingerprint, Supplier<Reload> reload) {
        if (Arrays.equals(fingerprint, lastFingerprint)) {
            return Optional.empty();
        }
        lastFingerprint = fingerprint;
        return Optional.of(reload.get());
    }

    /** One policy file's name, as errors show it, and its bytes. */
    private record SourceFile(String source, byte[] content) {}

    private List<SourceFile> list() throws IOException {
        if (!Files.isDirectory(location)) {
            return List.of(new SourceFile(location.toString(), Files.readAllBytes(location)));
        }
        List<Path> paths;
        try (Stream<Path> entries = Files.list(location)) {
            paths = entries.filter(PolicySource::isPolicyFile).sorted().toList();
        }
        List<SourceFile> files = new ArrayList<>();
        for (Path path : paths) {
            files.add(new SourceFile(path.toString(), Files.readAllBytes(path)));
        }
        return files;
    }

    private static boolean isPolicyFile(Path path) {
        String name = path.getFileName().toString();
        return !name.startsWith(".")
                && !name.endsWith(LearnedExamples.SUFFIX)
                && (name.endsWith(".yaml") || name.endsWith(".yml"))
                && Files.isRegularFile(path);
    }

    private Reload loadAll(List<SourceFile> files) {
        if (files.isEmpty()) {
            return failed(List.of(PolicyError.ofSource(location.toString(), "holds no *.yaml or *.yml policy file")));
        }
        List<PolicyError> errors = new ArrayList<>();
        Map<String, Policy> policies = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        List<Path> learnedPaths = new ArrayList<>();
        for (SourceFile file : files) {
            PolicyLoader.Read read;
            try {
                read = PolicyLoader.read(file.source(), decode(file), environment);
            } catch (PolicyException e) {
                errors.addAll(e.errors());
                continue;
            }
            String name = read.policy().name();
            String first = sources.putIfAbsent(name, file.source());
            if (first != null) {
                String message = "policy name '" + name + "' is already used by " + first
                        + "; policy names must be unique (a policy without a name takes its file name)";
                Position at = read.namePosition();
                errors.add(
                        at == null
                                ? PolicyError.ofSource(file.source(), message)
                                : new PolicyError(file.source(), at.line(), at.column(), message));
            }
            Policy policy = read.policy();
            if (policy.learning() != null) {
                Path learned = policy.learning().learnedFile(name);
                learnedPaths.add(learned);
                try {
                    policy = policy.withLearned(LearnedExamples.read(
                            learned,
                            policy.domains().stream().map(Policy.Domain::name).toList()));
                } catch (PolicyException e) {
                    errors.addAll(e.errors());
                }
            }
            policies.putIfAbsent(name, policy);
        }
        if (!learnedPaths.equals(learnedFiles)) {
            learnedFiles = List.copyOf(learnedPaths);
            lastFingerprint = digest(files, learnedFiles);
        }
        return errors.isEmpty() ? new Reload.Loaded(new PolicySet(location.toString(), policies)) : failed(errors);
    }

    private static String decode(SourceFile file) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(file.content()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new PolicyException(List.of(PolicyError.ofSource(file.source(), "is not UTF-8 text")));
        }
    }

    private static Reload failed(List<PolicyError> errors) {
        return new Reload.Failed(new PolicyException(errors));
    }

    private static byte[] digest(List<SourceFile> files) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        for (SourceFile file : files) {
            sha256.update(file.source().getBytes(StandardCharsets.UTF_8));
            sha256.update(ByteBuffer.allocate(Long.BYTES + 1)
                    .put((byte) 0)
                    .putLong(file.content().length)
                    .array());
            sha256.update(file.content());
        }
        return sha256.digest();
    }
}
