package dev.hybridrouter.helm;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a PromQL expression of a Grafana panel refers to: the series it selects (each with its label matchers),
 * the labels it groups or matches on ({@code by}, {@code without}, {@code on}, {@code ignoring}, {@code
 * group_left}, {@code group_right}) and the Grafana variables it uses ({@code $tenant}, {@code ${policy}},
 * {@code $__rate_interval}). Not a PromQL parser: a scanner that knows where names stand, enough to tell
 * whether a dashboard queries what the router exports.
 *
 * @param selectors every series selector, in order
 * @param groupingLabels every label named in a grouping or vector-matching clause
 * @param variables every Grafana variable named, without its {@code $}
 */
record PromQlReferences(List<Selector> selectors, Set<String> groupingLabels, Set<String> variables) {

    /** A label matcher: {@code label op "value"}, {@code op} one of {@code =}, {@code !=}, {@code =~}, {@code !~}. */
    record LabelMatcher(String label, String op, String value) {}

    /** A series selector: the metric name and its label matchers. */
    record Selector(String metric, List<LabelMatcher> matchers) {}

    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
    /** Names that are never a metric: binary operators, modifiers, and aggregations (which {@code by} may follow). */
    private static final Set<String> KEYWORDS = Set.of(
            "and",
            "or",
            "unless",
            "bool",
            "offset",
            "inf",
            "nan",
            "sum",
            "min",
            "max",
            "avg",
            "group",
            "stddev",
            "stdvar",
            "count",
            "count_values",
            "bottomk",
            "topk",
            "quantile",
            "limitk",
            "limit_ratio");

    private static final Pattern MATCHER =
            Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*,?");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)");

    PromQlReferences {
        selectors = List.copyOf(selectors);
        groupingLabels = Set.copyOf(groupingLabels);
        variables = Set.copyOf(variables);
    }

    static PromQlReferences of(String expression) {
        List<Selector> selectors = new ArrayList<>();
        Set<String> grouping = new LinkedHashSet<>();
        Set<String> variables = new LinkedHashSet<>();
        Matcher variable = VARIABLE.matcher(expression);
        while (variable.find()) {
            variables.add(variable.group(1));
        }
        int i = 0;
        int length = expression.length();
        while (i < length) {
            char c = expression.charAt(i);
            if (c == '"' || c == '\'') {
                i = endOfString(expression, i);
            } else if (c == '[') {
                i = endOfBracket(expression, i, ']'); // a range or subquery: durations and variables only
            } else if (c == '$') {
                i = expression.startsWith("${", i)
                        ? endOfBracket(expression, i, '}')
                        : endOf(expression, i + 1, ch -> Character.isLetterOrDigit(ch) || ch == '_'); // a variable
            } else if (c == '{') {
                throw new IllegalArgumentException("a selector without a metric name at " + i + " of: " + expression);
            } else if (Character.isDigit(c) || c == '.') {
                i = endOf(expression, i, ch -> Character.isLetterOrDigit(ch) || ch == '.');
            } else if (Character.isLetter(c) || c == '_' || c == ':') {
                int end = endOf(expression, i, ch -> Character.isLetterOrDigit(ch) || ch == '_' || ch == ':');
                String name = expression.substring(i, end);
                int next = skipSpaces(expression, end);
                boolean call = next < length && expression.charAt(next) == '(';
                if (GROUPING.contains(name) && call) {
                    int closed = endOfBracket(expression, next, ')');
                    for (String label :
                            expression.substring(next + 1, closed - 1).split(",")) {
                        if (!label.isBlank()) {
                            grouping.add(label.strip());
                        }
                    }
                    i = closed;
                } else if (call || GROUPING.contains(name) || KEYWORDS.contains(name)) {
                    i = end; // a function, an aggregation or an operator keyword
                } else if (next < length && expression.charAt(next) == '{') {
                    int close = endOfMatchers(expression, next);
                    selectors.add(new Selector(name, matchers(expression.substring(next + 1, close - 1))));
                    i = close;
                } else {
                    selectors.add(new Selector(name, List.of()));
                    i = end;
                }
            } else {
                i++;
            }
        }
        return new PromQlReferences(selectors, grouping, variables);
    }

    private static List<LabelMatcher> matchers(String block) {
        List<LabelMatcher> matchers = new ArrayList<>();
        Matcher matcher = MATCHER.matcher(block);
        int at = 0;
        while (at < block.length() && matcher.find(at) && matcher.start() == at) {
            matchers.add(new LabelMatcher(matcher.group(1), matcher.group(2), matcher.group(3)));
            at = matcher.end();
        }
        if (!block.substring(at).isBlank()) {
            throw new IllegalArgumentException("unreadable label matchers: {" + block + "}");
        }
        return matchers;
    }

    private static int endOfMatchers(String expression, int open) {
        int i = open + 1;
        while (i < expression.length()) {
            char c = expression.charAt(i);
            if (c == '"' || c == '\'') {
                i = endOfString(expression, i);
            } else if (c == '}') {
                return i + 1;
            } else {
                i++;
            }
        }
        throw new IllegalArgumentException("unclosed label matchers in: " + expression);
    }

    private static int endOfBracket(String expression, int open, char close) {
        int at = expression.indexOf(close, open);
        if (at < 0) {
            throw new IllegalArgumentException("unclosed " + expression.charAt(open) + " in: " + expression);
        }
        return at + 1;
    }

    private static int endOfString(String expression, int open) {
        char quote = expression.charAt(open);
        for (int i = open + 1; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == quote) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("unclosed string in: " + expression);
    }

    private static int endOf(String expression, int start, IntPredicate part) {
        int i = start;
        while (i < expression.length() && part.test(expression.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int skipSpaces(String expression, int start) {
        int i = start;
        while (i < expression.length() && Character.isWhitespace(expression.charAt(i))) {
            i++;
        }
        return i;
    }
}
