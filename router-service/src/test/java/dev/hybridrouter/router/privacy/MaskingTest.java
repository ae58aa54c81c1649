package dev.hybridrouter.router.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.gateway.wire.ChatCompletion;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.ChatMessage;
import dev.hybridrouter.gateway.wire.WireJson;
import dev.hybridrouter.policies.Policy.CustomPii;
import dev.hybridrouter.policies.Policy.PiiAction;
import dev.hybridrouter.policies.Policy.PiiType;
import dev.hybridrouter.policies.Policy.Privacy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class MaskingTest {

    private static final PiiDetector DEFAULTS = PiiDetector.of(Privacy.DEFAULTS);

    @Test
    void should_mask_every_turn_role_and_field_when_they_contain_personal_data() {
        ChatCompletionRequest request = request(
                """
                {"model":"auto","user":"jane@example.com","metadata":{"owner":"support@bank.example.com"},
                 "messages":[
                  {"role":"system","content":"Escalate to support@bank.example.com."},
                  {"role":"developer","content":[{"type":"text","text":"Never phone (650) 253-0000"}]},
                  {"role":"user","content":"I am jane@example.com, card 4111 1111 1111 1111."},
                  {"role":"assistant","content":"Looking up jane@example.com","tool_calls":[{"id":"call-1",
                    "type":"function","function":{"name":"lookup","arguments":"{\\"email\\":\\"jane@example.com\\"}"}}]},
                  {"role":"tool","tool_call_id":"call-1","content":"phone (650) 253-0000, IBAN DE89370400440532013000"},
                  {"role":"user","content":"Also mail support@bank.example.com from 10.0.0.7"}],
                 "tools":[{"type":"function","function":{"name":"lookup","description":"Looks up jane@example.com",
                   "parameters":{"type":"object","properties":{"email":{"type":"string",
                     "enum":["jane@example.com"],"format":"email"}}}}}],
                 "response_format":{"type":"json_schema","json_schema":{"name":"a","schema":{"type":"object",
                   "description":"for 10.0.0.7"}}},
                 "brand_new_field":{"deep":["mail jane@example.com"]}}""");

        Masking masking = DEFAULTS.mask(request);

        assertThat(json(masking.request()))
                .isEqualTo(
                        WireJson.MAPPER.readTree(
                                """
                        {"model":"auto","user":"<EMAIL_2>","metadata":{"owner":"<EMAIL_1>"},
                         "messages":[
                          {"role":"system","content":"Escalate to <EMAIL_1>."},
                          {"role":"developer","content":[{"type":"text","text":"Never phone <PHONE_1>"}]},
                          {"role":"user","content":"I am <EMAIL_2>, card <PAYMENT_CARD_1>."},
                          {"role":"assistant","content":"Looking up <EMAIL_2>","tool_calls":[{"id":"call-1",
                            "type":"function","function":{"name":"lookup","arguments":"{\\"email\\":\\"<EMAIL_2>\\"}"}}]},
                          {"role":"tool","tool_call_id":"call-1","content":"phone <PHONE_1>, IBAN <IBAN_1>"},
                          {"role":"user","content":"Also mail <EMAIL_1> from <IP_ADDRESS_1>"}],
                         "tools":[{"type":"function","function":{"name":"lookup","description":"Looks up <EMAIL_2>",
                           "parameters":{"type":"object","properties":{"email":{"type":"string",
                             "enum":["<EMAIL_2>"],"format":"email"}}}}}],
                         "response_format":{"type":"json_schema","json_schema":{"name":"a","schema":{"type":"object",
                           "description":"for <IP_ADDRESS_1>"}}},
                         "brand_new_field":{"deep":["mail <EMAIL_2>"]}}"""));
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
    void should_keep_images_and_names_when_masking_a_user_message() {
        ChatCompletionRequest request = request(
                """
                {"messages":[{"role":"user","name":"jane","content":[{"type":"text","text":"From jane@example.com"},
                  {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}""");

        Masking masking = DEFAULTS.mask(request);

        assertThat(json(masking.request()))
                .isEqualTo(
                        WireJson.MAPPER.readTree(
                                """
                        {"messages":[{"role":"user","name":"jane","content":[{"type":"text","text":"From <EMAIL_1>"},
                          {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}"""));
    }

    @Test
    void should_leave_the_request_as_it_is_when_nothing_is_found() {
        ChatCompletionRequest request = ChatCompletionRequest.of(
                "auto", List.of(ChatMessage.user("What is a < b in Java?"), ChatMessage.assistant("A comparison.")));

        Masking masking = DEFAULTS.mask(request);

        assertThat(masking.request()).isEqualTo(request);
        assertThat(masking.vault()).isEmpty();
    }

    @Test
    void should_name_the_placeholder_after_the_custom_detector_when_a_custom_pattern_matches() {
        var detector = PiiDetector.of(
                new Privacy(Map.of(), List.of(new CustomPii("patient-id", "PAT-\\d{6}", PiiAction.MASK))));

        Masking masking = detector.mask(user("PAT-123456, PAT-654321, PAT-123456"));

        assertThat(masking.request().messages())
                .containsExactly(ChatMessage.user("<PATIENT_ID_1>, <PATIENT_ID_2>, <PATIENT_ID_1>"));
    }

    @Test
    void should_report_keep_local_and_its_detectors_when_such_a_value_is_found_anywhere() {
        var detector = PiiDetector.of(new Privacy(
                Map.of(PiiType.US_SSN, PiiAction.KEEP_LOCAL),
                List.of(new CustomPii("patient-id", "PAT-\\d{6}", PiiAction.KEEP_LOCAL))));
        ChatCompletionRequest request = request(
                """
                {"messages":[{"role":"user","content":"SSN 123-45-6789"},{"role":"assistant","content":"Noted."},
                  {"role":"user","content":"mail jane@example.com"}],
                 "tools":[{"type":"function","function":{"name":"f","description":"for patient PAT-123456"}}]}""");

        Masking masking = detector.mask(request);

        assertThat(masking.keepLocal()).isTrue();
        assertThat(masking.keepLocalDetectors()).containsExactlyInAnyOrder("US_SSN", "patient-id");
        assertThat(detector.keepLocalDetectors(request)).containsExactlyInAnyOrder("US_SSN", "patient-id");
        assertThat(masking.request().messages().get(0)).isEqualTo(ChatMessage.user("SSN <US_SSN_1>"));
    }

    @Test
    void should_not_report_keep_local_when_the_keep_local_detectors_find_nothing() {
        var detector = PiiDetector.of(new Privacy(Map.of(PiiType.US_SSN, PiiAction.KEEP_LOCAL), List.of()));

        Masking masking = detector.mask(user("mail jane@example.com"));

        assertThat(masking.keepLocal()).isFalse();
        assertThat(masking.keepLocalDetectors()).isEmpty();
    }

    @Test
    void should_leave_allowed_values_when_the_policy_allows_their_type() {
        var detector = PiiDetector.of(new Privacy(Map.of(PiiType.PHONE, PiiAction.ALLOW), List.of()));

        Masking masking = detector.mask(user("Call (650) 253-0000 or mail jane@example.com"));

        assertThat(masking.request().messages())
                .containsExactly(ChatMessage.user("Call (650) 253-0000 or mail <EMAIL_1>"));
        assertThat(masking.vault()).containsOnlyKeys("<EMAIL_1>");
    }

    @Test
    void should_skip_a_placeholder_when_the_request_already_contains_it_literally() {
        Masking masking = DEFAULTS.mask(user("My template says <EMAIL_1>; fill in jane@example.com"));

        assertThat(masking.request().messages())
                .containsExactly(ChatMessage.user("My template says <EMAIL_1>; fill in <EMAIL_2>"));
        assertThat(masking.unmask("Sent <EMAIL_1> to <EMAIL_2>")).isEqualTo("Sent <EMAIL_1> to jane@example.com");
    }

    @Test
    void should_restore_the_original_when_unmasking_the_masked_text() {
        String original = "Jane (jane@example.com, +44 20 7946 0958) paid with 4111-1111-1111-1111 from "
                + "IBAN GB82 WEST 1234 5698 7654 32 at 2001:db8::1; SSN 123-45-6789; again jane@example.com.";

        Masking masking = DEFAULTS.mask(user(original));
        String masked = masking.request().messages().get(0).text();

        assertThat(masked)
                .isEqualTo("Jane (<EMAIL_1>, <PHONE_1>) paid with <PAYMENT_CARD_1> from IBAN <IBAN_1> at "
                        + "<IP_ADDRESS_1>; SSN <US_SSN_1>; again <EMAIL_1>.");
        assertThat(masking.unmask(masked)).isEqualTo(original);
    }

    @Test
    void should_restore_the_text_and_tool_call_arguments_of_a_whole_answer() {
        Masking masking = DEFAULTS.mask(user("mail jane@example.com"));
        ChatCompletion answer = WireJson.MAPPER.readValue(
                """
                {"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,
                  "message":{"role":"assistant","content":"Mailing <EMAIL_1>","tool_calls":[{"id":"t","type":"function",
                    "function":{"name":"send","arguments":"{\\"to\\":\\"<EMAIL_1>\\"}"}}]},"finish_reason":"tool_calls"}]}""",
                ChatCompletion.class);

        ChatMessage restored = masking.unmask(answer).choices().get(0).message();

        assertThat(restored.text()).isEqualTo("Mailing jane@example.com");
        assertThat(restored.toolCalls().get(0).function().arguments()).isEqualTo("{\"to\":\"jane@example.com\"}");
    }

    @Test
    void should_leave_the_original_values_out_when_a_masking_is_printed() {
        Masking masking = DEFAULTS.mask(user("mail jane@example.com"));

        assertThat(masking.toString()).contains("<EMAIL_1>").doesNotContain("jane@example.com");
    }

    @Test
    void should_leave_unknown_placeholders_when_unmasking() {
        var masking = new Masking(user("x"), Map.of("<EMAIL_1>", "jane@example.com"), Set.of());

        assertThat(masking.unmask("<EMAIL_1>, <EMAIL_2>, <PHONE_1>, <b>"))
                .isEqualTo("jane@example.com, <EMAIL_2>, <PHONE_1>, <b>");
        assertThat(masking.unmask((String) null)).isNull();
    }

    @Test
    void should_restore_values_with_dollar_signs_and_backslashes_literally_when_unmasking() {
        var masking = new Masking(user("x"), Map.of("<SECRET_1>", "a$1\\b"), Set.of());

        assertThat(masking.unmask("x <SECRET_1> y")).isEqualTo("x a$1\\b y");
    }

    private static ChatCompletionRequest user(String text) {
        return ChatCompletionRequest.of("auto", List.of(ChatMessage.user(text)));
    }

    private static ChatCompletionRequest request(String json) {
        return WireJson.MAPPER.readValue(json, ChatCompletionRequest.class);
    }

    private static JsonNode json(ChatCompletionRequest request) {
        return WireJson.MAPPER.readTree(WireJson.MAPPER.writeValueAsString(request));
    }
}
