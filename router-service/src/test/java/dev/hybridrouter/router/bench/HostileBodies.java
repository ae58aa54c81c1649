package dev.hybridrouter.router.bench;

import dev.hybridrouter.router.chat.WireArbitraries;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.sessions.JqwikSession;

/**
 * The memory benchmark's first phase: chat request bodies as a hostile client sends them. Most are the
 * fuzz tests' generated requests ({@link WireArbitraries}); one in {@code 1 / largeShare} is a large one,
 * near or over one of the router's input limits ({@code router.limits}: 1 MB, 1,000 messages, 500,000
 * characters, 256 judged texts), the kinds in turn. Large bodies are made when sent, from their index
 * alone, so that the plan does not hold hundreds of megabytes; each holds its index, so no two are equal
 * and no cache answers them.
 */
final class HostileBodies {

    /** The 1 MB of {@code router.limits.max-request-size}, as Spring reads it. */
    static final int MAX_REQUEST_BYTES = 1024 * 1024;

    /** A large body, near or over one limit. */
    enum Large {
        WIDE_TEXT("900 KB: one message of 2-byte (Cyrillic) text, within every limit"),
        OVER_CHARACTERS("900 KB: one message of ASCII text, over max-characters (400)"),
        MANY_MESSAGES("1,000 messages of 440 characters, 9 distinct texts: within every limit"),
        MANY_DISTINCT("1,000 distinct short messages: over max-judged-texts (400)"),
        TOO_MANY_MESSAGES("1,001 short messages: over max-messages (400)"),
        OVER_SIZE("1.1 MB: over max-request-size (413)");

        private final String description;

        Large(String description) {
            this.description = description;
        }

        String description() {
            return description;
        }
    }

    private static final String CYRILLIC = "пожалуйста проверьте мой ноутбук ";
    private static final String ASCII = "the quick brown fox jumps over the lazy dog ";
    private static final int WIDE_BYTES = 900 * 1024;

    private HostileBodies() {}

    /** The large kind of request {@code index}, or null when it is a fuzzed one. */
    static Large largeAt(int index, double largeShare) {
        if (largeShare <= 0) {
            return null;
        }
        int every = Math.max(1, (int) Math.round(1 / largeShare));
        if (index % every != every - 1) {
            return null;
        }
        return Large.values()[(index / every) % Large.values().length];
    }

    /**
     * The fuzzed bodies of a plan of {@code count} requests, in order: one per index that {@link #largeAt}
     * leaves to the generator, null at the others. The same for a seed.
     */
    static List<String> fuzzed(long seed, int count, double largeShare) {
        List<String> bodies = new ArrayList<>(count);
        JqwikSession.start();
        try {
            WireArbitraries generate = new WireArbitraries(seed);
            for (int i = 0; i < count; i++) {
                bodies.add(largeAt(i, largeShare) == null ? generate.serialized(generate.request()) : null);
            }
        } finally {
            JqwikSession.finish();
        }
        return bodies;
    }

    /** The body of a large request, as UTF-8. */
    static byte[] body(Large kind, int index) {
        String tag = "request " + index + ": ";
        String json =
                switch (kind) {
                    case WIDE_TEXT -> oneMessage(tag + repeated(CYRILLIC, WIDE_BYTES));
                    case OVER_CHARACTERS -> oneMessage(tag + repeated(ASCII, WIDE_BYTES));
                    case MANY_MESSAGES -> messages(
                            1000,
                            k -> k == 999
                                    ? tag + "and the laptop still does not connect"
                                    : repeated(
                                                    "step " + (k % 8)
                                                            + " of my VPN problem, the laptop will not connect. ",
                                                    440)
                                            .substring(0, 440));
                    case MANY_DISTINCT -> messages(1000, k -> tag + "question number " + k + " about my laptop");
                    case TOO_MANY_MESSAGES -> messages(1001, k -> tag + "hello " + (k % 4));
                    case OVER_SIZE -> oneMessage(tag + repeated(ASCII, MAX_REQUEST_BYTES + 100 * 1024));
                };
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static String oneMessage(String content) {
        return "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":" + BenchPolicy.json(content) + "}]}";
    }

    /** Messages alternating user and assistant, the last one from the user. */
    private static String messages(int count, java.util.function.IntFunction<String> content) {
        StringBuilder json = new StringBuilder("{\"model\":\"auto\",\"messages\":[");
        for (int k = 0; k < count; k++) {
            String role = k == count - 1 || k % 2 == 0 ? "user" : "assistant";
            json.append(k == 0 ? "" : ",")
                    .append("{\"role\":\"")
                    .append(role)
                    .append("\",\"content\":")
                    .append(BenchPolicy.json(content.apply(k)))
                    .append('}');
        }
        return json.append("]}").toString();
    }

    /** {@code unit} repeated until its UTF-8 form is at least {@code bytes} long. */
    private static String repeated(String unit, int bytes) {
        int unitBytes = unit.getBytes(StandardCharsets.UTF_8).length;
        return unit.repeat((bytes + unitBytes - 1) / unitBytes);
    }
}
