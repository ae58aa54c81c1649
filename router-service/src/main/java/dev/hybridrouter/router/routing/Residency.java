package dev.hybridrouter.router.routing;

import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.gateway.wire.TextMapper.Kind;
import dev.hybridrouter.gateway.wire.Texts;
import dev.hybridrouter.policies.Policy;
import dev.hybridrouter.router.error.ApiException;
import dev.hybridrouter.router.error.ErrorCode;
import dev.hybridrouter.router.privacy.PiiDetector;
import dev.hybridrouter.router.routing.RoutingDecision.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a request must stay on local models, judged on everything that would leave with it: every string
 * of the request but its {@code model}, generated ids (tool-call ids) and the schema's own keywords. The
 * rules, in order (docs/privacy.md says the same):
 *
 * <ol>
 *   <li>the policy (tenant) is local-only;
 *   <li>the specialist that answers is local-only, or serves a local-only domain;
 *   <li>any string of the request holds personal data whose action is {@code keep-local};
 *   <li>when the policy has local-only domains: the request carries an image, audio or a file, which the
 *       router cannot judge; or any text of it, on its own (every message of every role, every text part,
 *       name, tool definition, tool call and result, and every other field), scores at or above a
 *       local-only domain's residency threshold. Long texts are judged in windows of {@value #WINDOW}
 *       characters.
 * </ol>
 *
 * Judging is bounded: a request with more distinct windows than the limit is refused with a 400 naming
 * the setting, never judged in part.
 */
final class Residency {

    /** The characters of one judged window: about what the embedding models read at once. */
    static final int WINDOW = 1_000;

    private final Policy policy;
    private final DomainClassifier classifier;
    private final PiiDetector pii;
    private final int maxJudgedTexts;
    private final List<Policy.Domain> localOnlyDomains;

    Residency(Policy policy, DomainClassifier classifier, PiiDetector pii, int maxJudgedTexts) {
        this.policy = policy;
        this.classifier = classifier;
        this.pii = pii;
        this.maxJudgedTexts = maxJudgedTexts;
        this.localOnlyDomains =
                policy.domains().stream().filter(Policy.Domain::localOnly).toList();
    }

    /**
     * Why a request must stay local, and which local-only domain it looks like if that is why.
     *
     * @param domain the local-only domain a text looks like, or {@code null} when another rule applies
     */
    record LocalOnly(String reason, Policy.Domain domain) {}

    /**
     * @param target where the decision would send the request
     * @param route the domain it was routed to
     * @throws ApiException 400 when the request has more distinct texts than the router judges
     */
    Optional<LocalOnly> check(Target target, String route, ChatCompletionRequest request) {
        if (policy.residency() == Policy.Residency.LOCAL_ONLY) {
            return Optional.of(new LocalOnly("policy '" + policy.name() + "' is local-only", null));
        }
        if (target.kind() == Target.Kind.SPECIALIST) {
            Optional<Policy.Domain> routed = policy.domain(route);
            if (routed.isPresent() && routed.get().localOnly()) {
                return Optional.of(new LocalOnly("domain '" + routed.get().name() + "' is local-only", null));
            }
            if (policy.specialists().get(target.name()).residency() == Policy.Residency.LOCAL_ONLY) {
                return Optional.of(new LocalOnly("specialist '" + target.name() + "' is local-only", null));
            }
        }
        if (policy.privacy().keepsAnythingLocal()) {
            Set<String> keepLocal = pii.keepLocalDetectors(request);
            if (!keepLocal.isEmpty()) {
                return Optional.of(new LocalOnly(
                        "it contains personal data the policy keeps local: " + String.join(", ", keepLocal), null));
            }
        }
        if (localOnlyDomains.isEmpty()) {
            return Optional.empty();
        }
        if (Texts.hasOpaqueContent(request)) {
            return Optional.of(new LocalOnly(
                    "it carries an image, audio or a file, which the router cannot judge, and the policy keeps"
                            + " some data local",
                    null));
        }
        return judge(windows(request));
    }

    /** Every distinct window of prose, each with where it comes from. */
    private Map<String, String> windows(ChatCompletionRequest request) {
        Map<String, String> places = new LinkedHashMap<>();
        List<ChatMessage> messages = request.messages();
        for (int i = 0; i < messages.size(); i++) {
            String place = "messages[" + i + "]";
            Texts.map(messages.get(i), (text, kind) -> collect(places, text, kind, place));
        }
        Texts.map(
                request.withMessages(List.of()),
                (text, kind) -> collect(places, text, kind, "a field other than messages"));
        return places;
    }

    /**
     * Every string is judged but the schema's own keywords ({@code user}, {@code function}, ...) and
     * generated ids: random tokens say nothing and would score at random. An id with a space in it is no
     * generated token, so it is judged like any text.
     */
    private String collect(Map<String, String> places, String text, Kind kind, String place) {
        boolean says =
                switch (kind) {
                    case KEYWORD -> !Texts.knownKeyword(text);
                    case ID -> text.chars().anyMatch(Character::isWhitespace);
                    default -> true;
                };
        if (says && ReadableText.has(text)) {
            for (String window : split(text)) {
                places.putIfAbsent(window, place);
                if (places.size() > maxJudgedTexts) {
                    throw ApiException.of(
                            ErrorCode.REQUEST_OVER_LIMIT,
                            "The request has more than " + maxJudgedTexts + " distinct texts (of up to " + WINDOW
                                    + " characters) for the privacy check to judge; shorten the conversation or raise"
                                    + " router.limits.max-judged-texts");
                }
            }
        }
        return text;
    }

    private Optional<LocalOnly> judge(Map<String, String> windows) {
        for (Map.Entry<String, String> window : windows.entrySet()) {
            Map<String, Double> scores = classifier
                    .classify(List.of(ChatMessage.user(window.getKey())))
                    .scores();
            for (Policy.Domain domain : localOnlyDomains) {
                double score = scores.getOrDefault(domain.name(), 0.0);
                double threshold =
                        domain.residencyThreshold() != null ? domain.residencyThreshold() : policy.threshold(domain);
                if (score >= threshold) {
                    return Optional.of(new LocalOnly(
                            String.format(
                                    Locale.ROOT,
                                    "%s looks like local-only domain '%s' (%.2f >= %.2f)",
                                    window.getValue(),
                                    domain.name(),
                                    score,
                                    threshold),
                            domain));
                }
            }
        }
        return Optional.empty();
    }

    /** Windows of at most {@link #WINDOW} characters, cut at whitespace where there is some. */
    static List<String> split(String text) {
        if (text.length() <= WINDOW) {
            return List.of(text);
        }
        List<String> windows = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = Math.min(text.length(), start + WINDOW);
            if (end < text.length()) {
                int space = text.lastIndexOf(' ', end);
                if (space > start + WINDOW / 2) {
                    end = space;
                }
            }
            String window = text.substring(start, end);
            if (ReadableText.has(window)) {
                windows.add(window);
            }
            start = end;
        }
        return windows;
    }
}
