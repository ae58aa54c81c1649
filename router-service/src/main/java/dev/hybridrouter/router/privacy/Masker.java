package dev.hybridrouter.router.privacy;

import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.Texts;
import dev.hybridrouter.policies.Policy.PiiAction;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Masks one request. Numbering is per placeholder label, in order of first appearance. */
final class Masker {

    private final PiiDetector detector;
    private final ChatCompletionRequest request;
    /** Every string of the request, so that no placeholder is handed out that it already contains. */
    private final String original;

    private final Map<String, String> placeholders = new HashMap<>();
    private final Map<String, Integer> counters = new HashMap<>();
    private final Map<String, String> vault = new HashMap<>();
    private final Set<String> keepLocalDetectors = new HashSet<>();

    Masker(PiiDetector detector, ChatCompletionRequest request) {
        this.detector = detector;
        this.request = request;
        var all = new StringBuilder();
        Texts.map(request, (text, kind) -> {
            all.append(text).append('\n');
            return text;
        });
        this.original = all.toString();
    }

    Masking mask() {
        ChatCompletionRequest masked = Texts.map(request, (text, kind) -> mask(text));
        return new Masking(masked, vault, keepLocalDetectors);
    }

    private String mask(String text) {
        StringBuilder masked = null;
        int at = 0;
        for (Finding finding : detector.find(text)) {
            if (finding.action() == PiiAction.KEEP_LOCAL) {
                keepLocalDetectors.add(finding.detector());
            }
            if (finding.action() != PiiAction.ALLOW) {
                if (masked == null) {
                    masked = new StringBuilder(text.length());
                }
                masked.append(text, at, finding.start()).append(placeholder(finding));
                at = finding.end();
            }
        }
        return masked == null ? text : masked.append(text, at, text.length()).toString();
    }

    private String placeholder(Finding finding) {
        return placeholders.computeIfAbsent(finding.value(), value -> {
            String label = label(finding.detector());
            String placeholder;
            do {
                int n = counters.merge(label, 1, Integer::sum);
                placeholder = "<" + label + "_" + n + ">";
            } while (original.contains(placeholder));
            vault.put(placeholder, value);
            return placeholder;
        });
    }

    /** {@code EMAIL} stays {@code EMAIL}; {@code patient-id} becomes {@code PATIENT_ID}. */
    private static String label(String detector) {
        return detector.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "_");
    }
}
