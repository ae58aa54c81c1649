package dev.hybridrouter.router.privacy;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.Leniency;
import dev.hybridrouter.router.privacy.Detector.Span;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.commons.validator.routines.EmailValidator;
import org.apache.commons.validator.routines.IBANValidator;
import org.apache.commons.validator.routines.InetAddressValidator;
import org.apache.commons.validator.routines.checkdigit.LuhnCheckDigit;

/**
 * The built-in detectors. Each pattern finds candidates, anchored so that it starts only where a value
 * can start (a scan stays linear in the text); a library validates them.
 */
final class Detectors {

    private static final Pattern EMAIL =
            Pattern.compile("(?<![\\w.%+-])[\\w.%+-]++@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+");

    /** 13 to 19 digits, single spaces or dashes between them; not glued to other digits or to a {@code +}. */
    private static final Pattern PAYMENT_CARD = Pattern.compile("(?<![\\w+-])\\d(?:[ -]?\\d){12,18}(?!\\w|-\\d)");

    private static final int PAYMENT_CARD_MIN_DIGITS = 13;

    /** Country code, check digits, then up to 30 letters or digits, optionally grouped by single spaces. */
    private static final Pattern IBAN =
            Pattern.compile("(?<![A-Za-z0-9])[A-Za-z]{2}\\d{2}(?: ?[A-Za-z0-9]){11,30}", Pattern.CASE_INSENSITIVE);

    /** {@code AAA-GG-SSSS} without the numbers never issued: area 000, 666 or 9xx, group 00, serial 0000. */
    private static final Pattern US_SSN =
            Pattern.compile("(?<![\\d-])(?!000|666|9)\\d{3}-(?!00)\\d{2}-(?!0000)\\d{4}(?![\\d-])");

    private static final Pattern IPV4 = Pattern.compile("(?<![\\w.])\\d{1,3}(?:\\.\\d{1,3}){3}(?!\\w|\\.\\d)");

    /** A run of hex digits and colons (dots only before a digit) with a colon and a hex digit in it. */
    private static final Pattern IPV6 =
            Pattern.compile("(?<![\\w.:])(?=[0-9A-Fa-f.]*:)(?=[.:]*[0-9A-Fa-f])(?:[0-9A-Fa-f:]|\\.(?=\\d))++(?!\\w)");

    private Detectors() {}

    /** Addresses whose domain ends in a known top-level domain. */
    static Detector email() {
        return validated(EMAIL, EmailValidator.getInstance()::isValid);
    }

    /**
     * Numbers valid in their region, as libphonenumber finds them in text: national numbers of the default
     * region, and numbers of any region in international format ({@code +44 20 7946 0958}).
     */
    static Detector phone(String defaultRegion) {
        PhoneNumberUtil phoneNumbers = PhoneNumberUtil.getInstance();
        return text -> StreamSupport.stream(
                        phoneNumbers
                                .findNumbers(text, defaultRegion, Leniency.VALID, Long.MAX_VALUE)
                                .spliterator(),
                        false)
                .map(match -> new Span(match.start(), match.end()));
    }

    static Detector paymentCard() {
        return longestValidPrefix(PAYMENT_CARD, candidate -> {
            String digits = candidate.replace(" ", "").replace("-", "");
            return digits.length() >= PAYMENT_CARD_MIN_DIGITS && LuhnCheckDigit.LUHN_CHECK_DIGIT.isValid(digits);
        });
    }

    /** IBANs of a known country, with its length and format, and a valid checksum. */
    static Detector iban() {
        IBANValidator validator = IBANValidator.getInstance();
        return longestValidPrefix(
                IBAN, candidate -> validator.isValid(candidate.replace(" ", "").toUpperCase(Locale.ROOT)));
    }

    static Detector usSsn() {
        return matches(US_SSN);
    }

    /** IPv4 and IPv6 addresses. */
    static Detector ipAddress() {
        InetAddressValidator validator = InetAddressValidator.getInstance();
        Detector v4 = validated(IPV4, validator::isValidInet4Address);
        Detector v6 = validated(IPV6, validator::isValidInet6Address);
        return text -> Stream.concat(v4.find(text), v6.find(text));
    }

    /** Every non-empty match. */
    static Detector matches(Pattern pattern) {
        return validated(pattern, value -> true);
    }

    private static Detector validated(Pattern candidates, Predicate<String> valid) {
        return text -> candidates
                .matcher(text)
                .results()
                .filter(match -> match.end() > match.start() && valid.test(match.group()))
                .map(match -> new Span(match.start(), match.end()));
    }

    /**
     * For grouped numbers, whose candidate may run into a following number ({@code 4111 1111 1111 1111 123}):
     * the longest valid prefix that ends before a space or dash.
     */
    private static Detector longestValidPrefix(Pattern candidates, Predicate<String> valid) {
        return text -> candidates.matcher(text).results().flatMap(match -> {
            String candidate = match.group();
            for (int end = candidate.length(); end > 0; end = lastSeparator(candidate, end)) {
                if (valid.test(candidate.substring(0, end))) {
                    return Stream.of(new Span(match.start(), match.start() + end));
                }
            }
            return Stream.empty();
        });
    }

    private static int lastSeparator(String candidate, int before) {
        return Math.max(candidate.lastIndexOf(' ', before - 1), candidate.lastIndexOf('-', before - 1));
    }
}
