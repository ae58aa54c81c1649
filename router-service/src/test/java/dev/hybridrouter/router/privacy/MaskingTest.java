package dev.hybridrouter.router.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.policies.Policy.CustomPii;
import dev.hybridrouter.policies.Policy.PiiAction;
import dev.hybridrouter.policies.Policy.PiiType;
import dev.hybridrouter.policies.Policy.Privacy;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MaskingTest {

    private static final PiiDetector DEFAULTS = PiiDetector.of(Privacy.DEFAULTS);

    @Test
    void should_mask_every_turn_and_role_when_they_contain_personal_data() {
        List<ChatMessage> conversation = List.of(
                SystemMessage.from("Escalate to support@bank.example.com."),
                UserMessage.from("I am jane@example.com, card 4111 1111 1111 1111."),
                AiMessage.from(
                        "Looking up jane@example.com",
                        List.of(ToolExecutionRequest.builder()
                                .id("call-1")
                                .name("lookup")
                                .arguments("{\"email\":\"jane@example.com\"}")
                                .build())),
                ToolExecutionResultMessage.from(
                        "call-1", "lookup", "phone (650) 253-0000, IBAN DE89370400440532013000"),
                UserMessage.from("Also mail support@bank.example.com from 10.0.0.7"));

        Masking masking = DEFAULTS.mask(conversation);

        assertThat(masking.conversation())
                .containsExactly(
                        SystemMessage.from("Escalate to <EMAIL_1>."),
                        UserMessage.from("I am <EMAIL_2>, card <PAYMENT_CARD_1>."),
                        AiMessage.from(
                                "Looking up <EMAIL_2>",
                                List.of(ToolExecutionRequest.builder()
                                        .id("call-1")
                                        .name("lookup")
                                        .arguments("{\"email\":\"<EMAIL_2>\"}")
                                        .build())),
                        ToolExecutionResultMessage.from("call-1", "lookup", "phone <PHONE_1>, IBAN <IBAN_1>"),
                        UserMessage.from("Also mail <EMAIL_1> from <IP_ADDRESS_1>"));
        assertThat(masking.vault())
                .containsOnly(
                        Map.entry("<EMAIL_1>", "support@bank.example.com"),
                        Map.entry("<EMAIL_2>", "jane@example.com"),
                        Map.entry("<PAYMENT_CARD_1>", "4111 1111 1111 1111"),
                        Map.entry("<PHONE_1>", "(650) 253-0000"),
                        Map.entry("<IBAN_1>", "DE89370400440532013000"),
                        Map.entry("<IP_ADDRESS_1>", "10.0.0.7"));
        assertThat(masking.keepLocal()).isFalse();
    }

    @Test
    void should_keep_images_and_the_user_name_when_masking_a_user_message() {
        ImageContent image = ImageContent.from("https://example.com/cat.png");
        UserMessage user = UserMessage.builder()
                .name("jane")
                .contents(List.of(TextContent.from("From jane@example.com"), image))
                .build();

        Masking masking = DEFAULTS.mask(List.of(user));

        assertThat(masking.conversation())
                .containsExactly(UserMessage.builder()
                        .name("jane")
                        .contents(List.of(TextContent.from("From <EMAIL_1>"), image))
                        .build());
    }

    @Test
    void should_leave_the_conversation_as_it_is_when_nothing_is_found() {
        List<ChatMessage> conversation =
                List.of(UserMessage.from("What is a < b in Java?"), AiMessage.from("A comparison."));

        Masking masking = DEFAULTS.mask(conversation);

        assertThat(masking.conversation()).isEqualTo(conversation);
        assertThat(masking.vault()).isEmpty();
    }

    @Test
    void should_name_the_placeholder_after_the_custom_detector_when_a_custom_pattern_matches() {
        var detector = PiiDetector.of(
                new Privacy(Map.of(), List.of(new CustomPii("patient-id", "PAT-\\d{6}", PiiAction.MASK))));

        Masking masking = detector.mask(List.of(UserMessage.from("PAT-123456, PAT-654321, PAT-123456")));

        assertThat(masking.conversation())
                .containsExactly(UserMessage.from("<PATIENT_ID_1>, <PATIENT_ID_2>, <PATIENT_ID_1>"));
    }

    @Test
    void should_report_keep_local_and_its_detectors_when_such_a_value_is_found_in_any_turn() {
        var detector = PiiDetector.of(new Privacy(
                Map.of(PiiType.US_SSN, PiiAction.KEEP_LOCAL),
                List.of(new CustomPii("patient-id", "PAT-\\d{6}", PiiAction.KEEP_LOCAL))));

        Masking masking = detector.mask(List.of(
                UserMessage.from("SSN 123-45-6789"),
                AiMessage.from("Noted."),
                UserMessage.from("Patient PAT-123456, mail jane@example.com")));

        assertThat(masking.keepLocal()).isTrue();
        assertThat(masking.keepLocalDetectors()).containsExactlyInAnyOrder("US_SSN", "patient-id");
        assertThat(masking.conversation().get(0)).isEqualTo(UserMessage.from("SSN <US_SSN_1>"));
    }

    @Test
    void should_not_report_keep_local_when_the_keep_local_detectors_find_nothing() {
        var detector = PiiDetector.of(new Privacy(Map.of(PiiType.US_SSN, PiiAction.KEEP_LOCAL), List.of()));

        Masking masking = detector.mask(List.of(UserMessage.from("mail jane@example.com")));

        assertThat(masking.keepLocal()).isFalse();
        assertThat(masking.keepLocalDetectors()).isEmpty();
    }

    @Test
    void should_leave_allowed_values_when_the_policy_allows_their_type() {
        var detector = PiiDetector.of(new Privacy(Map.of(PiiType.PHONE, PiiAction.ALLOW), List.of()));

        Masking masking = detector.mask(List.of(UserMessage.from("Call (650) 253-0000 or mail jane@example.com")));

        assertThat(masking.conversation()).containsExactly(UserMessage.from("Call (650) 253-0000 or mail <EMAIL_1>"));
        assertThat(masking.vault()).containsOnlyKeys("<EMAIL_1>");
    }

    @Test
    void should_skip_a_placeholder_when_the_conversation_already_contains_it_literally() {
        String original = "My template says <EMAIL_1>; fill in jane@example.com";

        Masking masking = DEFAULTS.mask(List.of(UserMessage.from(original)));

        assertThat(masking.conversation())
                .containsExactly(UserMessage.from("My template says <EMAIL_1>; fill in <EMAIL_2>"));
        assertThat(masking.unmask("Sent <EMAIL_1> to <EMAIL_2>")).isEqualTo("Sent <EMAIL_1> to jane@example.com");
    }

    @Test
    void should_restore_the_original_when_unmasking_the_masked_text() {
        String original = "Jane (jane@example.com, +44 20 7946 0958) paid with 4111-1111-1111-1111 from "
                + "IBAN GB82 WEST 1234 5698 7654 32 at 2001:db8::1; SSN 123-45-6789; again jane@example.com.";

        Masking masking = DEFAULTS.mask(List.of(UserMessage.from(original)));
        String masked = ((UserMessage) masking.conversation().get(0)).singleText();

        assertThat(masked)
                .isEqualTo("Jane (<EMAIL_1>, <PHONE_1>) paid with <PAYMENT_CARD_1> from IBAN <IBAN_1> at "
                        + "<IP_ADDRESS_1>; SSN <US_SSN_1>; again <EMAIL_1>.");
        assertThat(masking.unmask(masked)).isEqualTo(original);
    }

    @Test
    void should_leave_the_original_values_out_when_a_masking_is_printed() {
        Masking masking = DEFAULTS.mask(List.of(UserMessage.from("mail jane@example.com")));

        assertThat(masking.toString()).contains("<EMAIL_1>").doesNotContain("jane@example.com");
    }

    @Test
    void should_leave_unknown_placeholders_when_unmasking() {
        var masking = new Masking(List.of(), Map.of("<EMAIL_1>", "jane@example.com"), Set.of());

        assertThat(masking.unmask("<EMAIL_1>, <EMAIL_2>, <PHONE_1>, <b>"))
                .isEqualTo("jane@example.com, <EMAIL_2>, <PHONE_1>, <b>");
        assertThat(masking.unmask(null)).isNull();
    }

    @Test
    void should_restore_values_with_dollar_signs_and_backslashes_literally_when_unmasking() {
        var masking = new Masking(List.of(), Map.of("<SECRET_1>", "a$1\\b"), Set.of());

        assertThat(masking.unmask("x <SECRET_1> y")).isEqualTo("x a$1\\b y");
    }
}
