package dev.hybridrouter.router.privacy;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.hybridrouter.router.UpstreamFakes.openAiCompletion;
import static dev.hybridrouter.router.UpstreamFakes.openAiStream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.hybridrouter.router.RouterTestSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Personal data on the way out: masked in every turn sent to a large model, restored in the answer the
 * caller gets (streamed too), kept local when the policy says so, and never captured raw. The test
 * policy masks every built-in detector and {@code PID-nnnnnn} patient ids, keeps phone numbers local,
 * and captures escalated exchanges of {@code it-helpdesk}.
 */
class PrivacyIT extends RouterTestSupport {

    private static final String EMAIL = "alice.martin@example.com";
    private static final String CARD = "4111 1111 1111 1111";
    private static final String PATIENT = "PID-123456";
    private static final String CONVERSATION =
            """
            {"model": "auto", "stream": %s, "messages": [
              {"role": "system", "content": "Reply to %s."},
              {"role": "user", "content": "My card %s was charged twice."},
              {"role": "assistant", "content": "Which account, %s?"},
              {"role": "user", "content": "The one for %s; write a polite complaint letter (privacy-it)"}]}""";

    @Test
    void should_mask_every_turn_sent_to_a_large_model_and_restore_the_answer() {
        OPENAI.stubFor(post("/v1/chat/completions")
                .willReturn(openAiCompletion("Dear <EMAIL_1>, card <PAYMENT_CARD_1> of <PATIENT_ID_1> is refunded.")));

        postChat(conversation(false))
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("x-router-target", "large:cloud")
                .expectBody()
                .jsonPath("$.choices[0].message.content")
                .isEqualTo("Dear " + EMAIL + ", card " + CARD + " of " + PATIENT + " is refunded.");

        String sent = onlyRequestBody();
        assertThat(sent).doesNotContain(EMAIL, CARD, PATIENT, "alice.martin");
        assertThat(sent)
                .contains(
                        "Reply to <EMAIL_1>.",
                        "My card <PAYMENT_CARD_1>",
                        "Which account, <EMAIL_1>?",
                        "The one for <PATIENT_ID_1>");
    }

    @Test
    void should_restore_a_placeholder_split_across_streamed_chunks() {
        OPENAI.stubFor(post("/v1/chat/completions")
                .willReturn(openAiStream(1, 1, "Write to <EM", "AIL_", "1> about <PATIENT", "_ID_1>.")));

        String body = postChat(conversation(true))
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();

        assertThat(contentOf(body)).isEqualTo("Write to " + EMAIL + " about " + PATIENT + ".");
        assertThat(onlyRequestBody()).doesNotContain(EMAIL, CARD, PATIENT);
    }

    @Test
    void should_keep_a_request_local_when_it_holds_personal_data_the_policy_keeps_local() {
        LOCAL.stubFor(post("/v1/chat/completions").willReturn(openAiCompletion("Handled locally.")));

        postChat(
                        """
                {"model": "auto", "messages": [
                  {"role": "user", "content": "call me back on +1 650 253 0000 and write a sonnet"}]}""")
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("x-router-residency", "local-only")
                .expectHeader()
                .valueEquals("x-router-target", "specialist:helpdesk-slm");

        assertThat(OPENAI.getAllServeEvents()).isEmpty();
        assertThat(ANTHROPIC.getAllServeEvents()).isEmpty();
    }

    @Test
    void should_capture_the_escalated_exchange_masked_and_never_raw() {
        OPENAI.stubFor(post("/v1/chat/completions").willReturn(openAiCompletion("Dear <EMAIL_1>, refunded.")));

        postChat(conversation(false)).expectStatus().isOk();

        await().atMost(Duration.ofSeconds(10)).until(() -> captured().contains("Dear <EMAIL_1>, refunded."));
        String captured = captured();
        assertThat(captured)
                .contains("\"domain\":\"it-helpdesk\"", "\"largeModel\":\"cloud\"", "\"reason\":\"low-confidence\"")
                .contains("My card <PAYMENT_CARD_1> was charged twice.")
                .doesNotContain(EMAIL, CARD, PATIENT);
    }

    private static String conversation(boolean stream) {
        return CONVERSATION.formatted(stream, EMAIL, CARD, EMAIL, PATIENT);
    }

    private static String onlyRequestBody() {
        List<LoggedRequest> requests = OPENAI.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/v1/chat/completions")));
        assertThat(requests).hasSize(1);
        return requests.get(0).getBodyAsString();
    }

    /** The text of every content delta of an SSE body, joined. */
    private static String contentOf(String sse) {
        return sse.lines()
                .filter(line -> line.startsWith("data:{"))
                .flatMap(line -> java.util.regex.Pattern.compile("\"content\":\"((?:[^\"\\\\]|\\\\.)*)\"")
                        .matcher(line)
                        .results()
                        .map(match -> match.group(1)))
                .collect(Collectors.joining());
    }

    /** The captured lines of this class's own conversation: other tests capture into the same directory. */
    private static String captured() {
        try (Stream<Path> files = Files.list(CAPTURE_DIRECTORY)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jsonl"))
                    .flatMap(f -> {
                        try {
                            return Files.readAllLines(f).stream();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .filter(line -> line.contains("(privacy-it)"))
                    .collect(Collectors.joining("\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
