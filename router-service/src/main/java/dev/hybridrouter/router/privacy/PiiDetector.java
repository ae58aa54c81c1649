package dev.hybridrouter.router.privacy;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.Texts;
import dev.hybridrouter.policies.Policy.CustomPii;
import dev.hybridrouter.policies.Policy.PiiAction;
import dev.hybridrouter.policies.Policy.PiiType;
import dev.hybridrouter.policies.Policy.Privacy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Finds personal data in text and masks it in conversations, under one policy's {@link Privacy} settings.
 * Immutable and thread-safe: build one per policy, use it for every request. Pure CPU work, no I/O.
 */
public final class PiiDetector {

    /** The region whose national phone number formats are recognised unless told otherwise. */
    public static final String DEFAULT_REGION = "US";

    /** Strictest action first, then longest. */
    private static final Comparator<Finding> PRECEDENCE = Comparator.comparingInt(
                    (Finding finding) -> strictness(finding.action()))
            .thenComparingInt(finding -> finding.end() - finding.start())
            .reversed();

    /**
     * The detectors, most specific first: when two findings with the same action cover the same length of
     * text, the earlier detector wins.
     */
    private final List<Named> detectors;

    /**
     * @param privacy the actions of the built-in detectors (a type the map lacks is masked) and the custom ones
     * @param defaultRegion the ISO 3166 region, e.g. {@code US} or {@code DE}, whose national phone numbers
     *     are recognised; numbers in international format ({@code +44 ...}) are recognised in every region
     * @throws IllegalArgumentException for an unknown region, or a custom detector without a name, action or
     *     valid pattern
     */
    public PiiDetector(Privacy privacy, String defaultRegion) {
        if (!PhoneNumberUtil.getInstance().getSupportedRegions().contains(defaultRegion)) {
            throw new IllegalArgumentException("Unknown phone region '" + defaultRegion + "'");
        }
        var detectors = new ArrayList<Named>();
        privacy.custom().stream().map(PiiDetector::custom).forEach(detectors::add);
        Map<PiiType, PiiAction> actions = privacy.pii();
        detectors.add(builtIn(PiiType.PAYMENT_CARD, actions, Detectors.paymentCard()));
        detectors.add(builtIn(PiiType.IBAN, actions, Detectors.iban()));
        detectors.add(builtIn(PiiType.US_SSN, actions, Detectors.usSsn()));
        detectors.add(builtIn(PiiType.EMAIL, actions, Detectors.email()));
        detectors.add(builtIn(PiiType.IP_ADDRESS, actions, Detectors.ipAddress()));
        detectors.add(builtIn(PiiType.PHONE, actions, Detectors.phone(defaultRegion)));
        this.detectors = List.copyOf(detectors);
    }

    /** A detector that recognises national phone numbers of the {@link #DEFAULT_REGION}. */
    public static PiiDetector of(Privacy privacy) {
        return new PiiDetector(privacy, DEFAULT_REGION);
    }

    /**
     * The personal data in a text, {@code ALLOW}ed values included, in text order and without overlaps. Of
     * overlapping findings the one with the strictest action wins ({@code KEEP_LOCAL}, then {@code MASK},
     * then {@code ALLOW}, so an allowed value never shields one that must be masked), then the longest (a
     * card number is not also a phone number), then the most specific detector: custom ones, payment card,
     * IBAN, US SSN, e-mail, IP address, phone.
     */
    public List<Finding> find(String text) {
        var candidates = new ArrayList<Finding>();
        for (Named named : detectors) {
            named.detector()
                    .find(text)
                    .map(span -> new Finding(
                            named.name(),
                            span.start(),
                            span.end(),
                            text.substring(span.start(), span.end()),
                            named.action()))
                    .forEach(candidates::add);
        }
        candidates.sort(PRECEDENCE); // stable: among equals, the detector listed first wins
        var chosen = new TreeMap<Integer, Finding>();
        for (Finding candidate : candidates) {
            var before = chosen.floorEntry(candidate.start());
            var after = chosen.ceilingEntry(candidate.start());
            boolean overlaps = (before != null && before.getValue().end() > candidate.start())
                    || (after != null && after.getKey() < candidate.end());
            if (!overlaps) {
                chosen.put(candidate.start(), candidate);
            }
        }
        return List.copyOf(chosen.values());
    }

    /**
     * Masks a request: every string of it but {@code model} (see {@link Texts}) — every message of every role,
     * text parts, names, tool definitions, tool calls and results, and fields the router does not know.
     * Values with action {@code MASK} or {@code KEEP_LOCAL} are replaced by placeholders; {@code ALLOW}ed ones
     * stay. Images, audio and files are not text and are left as they are.
     */
    public Masking mask(ChatCompletionRequest request) {
        return new Masker(this, request).mask();
    }

    /** The detectors with action {@code KEEP_LOCAL} that find a value anywhere in the request. */
    public Set<String> keepLocalDetectors(ChatCompletionRequest request) {
        Set<String> found = new LinkedHashSet<>();
        Texts.map(request, (text, kind) -> {
            for (Finding finding : find(text)) {
                if (finding.action() == PiiAction.KEEP_LOCAL) {
                    found.add(finding.detector());
                }
            }
            return text;
        });
        return found;
    }

    private static int strictness(PiiAction action) {
        return switch (action) {
            case ALLOW -> 0;
            case MASK -> 1;
            case KEEP_LOCAL -> 2;
        };
    }

    private static Named builtIn(PiiType type, Map<PiiType, PiiAction> actions, Detector detector) {
        return new Named(type.name(), actions.getOrDefault(type, PiiAction.MASK), detector);
    }

    private static Named custom(CustomPii custom) {
        if (custom.name() == null
                || !custom.name().matches(".*[A-Za-z0-9].*")
                || custom.pattern() == null
                || custom.action() == null) {
            throw new IllegalArgumentException(
                    "A custom PII detector needs a name with a letter or digit, a pattern and an action: " + custom);
        }
        try {
            return new Named(custom.name(), custom.action(), Detectors.matches(Pattern.compile(custom.pattern())));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                    "Custom PII detector '" + custom.name() + "' has an invalid pattern: " + e.getMessage(), e);
        }
    }

    private record Named(String name, PiiAction action, Detector detector) {}
}
