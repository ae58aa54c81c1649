package dev.hybridrouter.router.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybridrouter.policies.Policy.CustomPii;
import dev.hybridrouter.policies.Policy.PiiAction;
import dev.hybridrouter.policies.Policy.PiiType;
import dev.hybridrouter.policies.Policy.Privacy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PiiDetectorTest {

    private static final PiiDetector DEFAULTS = PiiDetector.of(Privacy.DEFAULTS);

    @ParameterizedTest
    @ValueSource(strings = {"jane.doe@example.com", "j+tag@mail.example.co.uk", "ops_team-1@sub.example.org"})
    void should_find_an_email_when_the_address_is_valid(String email) {
        assertThat(DEFAULTS.find("Write to " + email + ". Thanks"))
                .singleElement()
                .isEqualTo(new Finding("EMAIL", 9, 9 + email.length(), email, PiiAction.MASK));
    }

    @ParameterizedTest
    @ValueSource(strings = {"user@localhost", "jane@corp.notatld", "@handle", "jane@", "a@b"})
    void should_find_no_email_when_the_address_is_not_valid(String text) {
        assertThat(DEFAULTS.find("contact " + text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"(650) 253-0000", "650-253-0000", "650.253.0000", "+1 650 253 0000"})
    void should_find_a_phone_number_when_it_is_valid_in_the_default_region(String number) {
        assertThat(DEFAULTS.find("Call " + number + " today"))
                .singleElement()
                .isEqualTo(new Finding("PHONE", 5, 5 + number.length(), number, PiiAction.MASK));
    }

    @ParameterizedTest
    @ValueSource(strings = {"+44 20 7946 0958", "+49 30 901820", "+33 1 23 45 67 89"})
    void should_find_a_phone_number_of_any_region_when_it_is_in_international_format(String number) {
        assertThat(DEFAULTS.find("Call " + number)).extracting(Finding::value).containsExactly(number);
    }

    @Test
    void should_find_national_numbers_of_the_configured_region_only_when_it_is_the_default_region() {
        String text = "Ruf 030 12345678 an";

        assertThat(new PiiDetector(Privacy.DEFAULTS, "DE").find(text))
                .extracting(Finding::value)
                .containsExactly("030 12345678");
        assertThat(DEFAULTS.find(text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Delivered on 2024-01-15 at 10:30",
                "Order #123456789 shipped",
                "order no. 1234567890",
                "Invoice dated 12/03/2024",
                "Call 555-0100"
            })
    void should_find_no_phone_number_when_the_digits_are_a_date_or_an_order_number(String text) {
        assertThat(DEFAULTS.find(text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "4111 1111 1111 1111",
                "4111-1111-1111-1111",
                "4111111111111111",
                "3782 822463 10005",
                "6011000990139424"
            })
    void should_find_a_payment_card_when_the_number_passes_the_luhn_check(String number) {
        assertThat(DEFAULTS.find("card " + number + " exp 12/27"))
                .singleElement()
                .isEqualTo(new Finding("PAYMENT_CARD", 5, 5 + number.length(), number, PiiAction.MASK));
    }

    @ParameterizedTest
    @ValueSource(strings = {"4111 1111 1111 1112", "1234567890123", "41111111111111111111", "4111 1111 1111"})
    void should_find_no_payment_card_when_the_number_fails_luhn_or_has_the_wrong_length(String number) {
        assertThat(DEFAULTS.find("card " + number)).isEmpty();
    }

    @Test
    void should_find_the_card_number_alone_when_a_security_code_follows_it() {
        assertThat(DEFAULTS.find("4111 1111 1111 1111 123"))
                .singleElement()
                .extracting(Finding::value)
                .isEqualTo("4111 1111 1111 1111");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "DE89 3704 0044 0532 0130 00",
                "DE89370400440532013000",
                "GB82 WEST 1234 5698 7654 32",
                "de89370400440532013000"
            })
    void should_find_an_iban_when_its_checksum_is_valid(String iban) {
        assertThat(DEFAULTS.find("Pay to " + iban + " please"))
                .singleElement()
                .isEqualTo(new Finding("IBAN", 7, 7 + iban.length(), iban, PiiAction.MASK));
    }

    @Test
    void should_find_the_iban_alone_when_a_capitalised_word_follows_it() {
        assertThat(DEFAULTS.find("IBAN DE89 3704 0044 0532 0130 00 EUR"))
                .singleElement()
                .extracting(Finding::value)
                .isEqualTo("DE89 3704 0044 0532 0130 00");
    }

    @ParameterizedTest
    @ValueSource(strings = {"DE89 3704 0044 0532 0130 02", "DE88370400440532013000", "XX89370400440532013000"})
    void should_find_no_iban_when_the_checksum_or_country_is_wrong(String iban) {
        assertThat(DEFAULTS.find("Pay to " + iban)).isEmpty();
    }

    @Test
    void should_find_a_us_ssn_when_area_group_and_serial_are_valid() {
        assertThat(DEFAULTS.find("SSN 123-45-6789."))
                .containsExactly(new Finding("US_SSN", 4, 15, "123-45-6789", PiiAction.MASK));
    }

    @ParameterizedTest
    @ValueSource(strings = {"000-12-3456", "666-12-3456", "900-12-3456", "123-00-4567", "123-45-0000", "1123-45-6789"})
    void should_find_no_us_ssn_when_a_part_was_never_issued(String ssn) {
        assertThat(DEFAULTS.find("SSN " + ssn)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.168.1.10", "8.8.8.8", "2001:db8::8a2e:370:7334", "::ffff:192.0.2.1", "fe80::1"})
    void should_find_an_ip_address_when_it_is_valid(String address) {
        assertThat(DEFAULTS.find("host " + address + ", port 22"))
                .singleElement()
                .isEqualTo(new Finding("IP_ADDRESS", 5, 5 + address.length(), address, PiiAction.MASK));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"999.1.1.1", "version 1.2.3.4.5", "at 12:30:45", "std::vector", "f :: Int", "00:1A:2B:3C:4D:5E"})
    void should_find_no_ip_address_when_the_candidate_is_not_valid(String text) {
        assertThat(DEFAULTS.find(text)).isEmpty();
    }

    @Test
    void should_find_custom_values_when_the_policy_adds_a_pattern() {
        var detector = PiiDetector.of(
                new Privacy(Map.of(), List.of(new CustomPii("patient-id", "PAT-\\d{6}", PiiAction.KEEP_LOCAL))));

        assertThat(detector.find("Patient PAT-123456 and PAT-12"))
                .containsExactly(new Finding("patient-id", 8, 18, "PAT-123456", PiiAction.KEEP_LOCAL));
    }

    @Test
    void should_report_findings_in_text_order_when_several_detectors_match() {
        assertThat(DEFAULTS.find("IP 10.0.0.1, mail a@example.com, SSN 123-45-6789"))
                .extracting(Finding::detector)
                .containsExactly("IP_ADDRESS", "EMAIL", "US_SSN");
    }

    @Test
    void should_keep_the_longest_finding_when_findings_with_the_same_action_overlap() {
        var detector =
                PiiDetector.of(new Privacy(Map.of(), List.of(new CustomPii("user", "jane\\.doe", PiiAction.MASK))));

        assertThat(detector.find("jane.doe@example.com"))
                .extracting(Finding::detector)
                .containsExactly("EMAIL");
    }

    @Test
    void should_keep_the_custom_finding_when_it_covers_the_same_text_as_a_built_in_one() {
        var detector = PiiDetector.of(
                new Privacy(Map.of(), List.of(new CustomPii("employee-id", "\\d{3}-\\d{2}-\\d{4}", PiiAction.MASK))));

        assertThat(detector.find("123-45-6789")).extracting(Finding::detector).containsExactly("employee-id");
    }

    @Test
    void should_keep_the_stricter_finding_when_an_allowed_value_overlaps_one_to_mask() {
        var detector = PiiDetector.of(new Privacy(
                Map.of(PiiType.EMAIL, PiiAction.ALLOW),
                List.of(new CustomPii("patient-id", "P\\d{6}", PiiAction.MASK))));

        assertThat(detector.find("P123456@clinic.example.com"))
                .containsExactly(new Finding("patient-id", 0, 7, "P123456", PiiAction.MASK));
    }

    @Test
    void should_report_allowed_values_with_their_action_when_the_policy_allows_a_type() {
        var detector = PiiDetector.of(new Privacy(Map.of(PiiType.PHONE, PiiAction.ALLOW), List.of()));

        assertThat(detector.find("Call (650) 253-0000"))
                .singleElement()
                .extracting(Finding::action)
                .isEqualTo(PiiAction.ALLOW);
    }

    @Test
    void should_reject_the_settings_when_a_custom_pattern_is_invalid() {
        var privacy = new Privacy(Map.of(), List.of(new CustomPii("broken", "([a-z", PiiAction.MASK)));

        assertThatThrownBy(() -> PiiDetector.of(privacy))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("broken");
    }

    @Test
    void should_reject_the_settings_when_a_custom_detector_has_no_usable_name() {
        var privacy = new Privacy(Map.of(), List.of(new CustomPii("--", "x", PiiAction.MASK)));

        assertThatThrownBy(() -> PiiDetector.of(privacy)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void should_reject_the_region_when_libphonenumber_does_not_know_it() {
        assertThatThrownBy(() -> new PiiDetector(Privacy.DEFAULTS, "XX"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("XX");
    }
}
