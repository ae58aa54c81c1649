package dev.hybridrouter.router.execution;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.serverError;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.hybridrouter.router.UpstreamFakes.openAiCompletion;
import static dev.hybridrouter.router.UpstreamFakes.openAiScoredCompletion;
import static dev.hybridrouter.router.UpstreamFakes.openAiStream;
import static dev.hybridrouter.router.UpstreamFakes.tokenLogprob;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.openai.client.OpenAIClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.hybridrouter.router.RouterTestSupport;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

/**
 * The confidence cascade of the test policy's {@code billing} domain (band [0.3, 0.5), min-score 0.5, a prefix of 3
 * tokens): a request the classifier is unsure of ({@code unsure:billing}, confidence 0.4) is answered by
 * {@code billing-slm} first, its answer scored from its token log-probabilities, and kept or replaced by the large
 * model's; called with the official OpenAI SDK, the specialist faked by WireMock with high and low log-probabilities.
 */
class CascadeIT extends RouterTestSupport {

    private static final String SPECIALIST = "/billing/v1/chat/completions";
    private static final String CLOUD = "/v1/chat/completions";
    /** p = 0.99: a sure token. */
    private static final double SURE = -0.01;
    /** p = 0.05: an unsure one, well under min-score 0.5. */
    private static final double UNSURE = -3.0;

    private OpenAIClient client;

    @BeforeEach
    void client() {
        client = openAiClient();
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void should_answer_with_the_specialist_and_never_call_the_large_model_when_its_answer_scores_high() {
        // given
        LOCAL.stubFor(post(SPECIALIST).willReturn(openAiScoredCompletion("Pay by card", SURE)));
        double accepted = metric("router_cascade_total", "outcome=\"accepted\"");

        // when
        HttpResponseFor<ChatCompletion> response =
                client.chat().completions().withRawResponse().create(ask("unsure:billing why was I charged twice"));

        // then
        ChatCompletion answer = response.parse();
        assertThat(answer.choices().get(0).message().content()).contains("Pay by card");
        assertThat(answer.model()).isEqualTo("billing-slm");
        assertThat(answer.choices().get(0).logprobs()).isEmpty(); // the router asked for them, not the caller
        assertThat(response.headers().values("x-router-reason")).containsExactly("cascade-accepted");
        assertThat(response.headers().values("x-router-cascade-score")).containsExactly("0.9900");
        assertThat(response.headers().values("x-router-target")).containsExactly("specialist:billing-slm");
        assertThat(response.headers().values("x-router-escalated")).containsExactly("false");
        LOCAL.verify(postRequestedFor(urlEqualTo(SPECIALIST))
                .withRequestBody(matchingJsonPath("$.logprobs", equalTo("true"))));
        assertThat(calls(OPENAI, CLOUD)).isZero();
        assertThat(metric("router_cascade_total", "outcome=\"accepted\"") - accepted)
                .isEqualTo(1);
    }

    @Test
    void should_return_the_large_model_answer_and_count_both_calls_when_the_specialist_answer_scores_low() {
        // given
        LOCAL.stubFor(post(SPECIALIST).willReturn(openAiScoredCompletion("Maybe refund it", UNSURE)));
        OPENAI.stubFor(post(CLOUD).willReturn(openAiCompletion("Two charges: one is a hold.", 30, 8)));
        double escalated = metric("router_cascade_total", "route=\"billing\",tenant=\"none\"", "outcome=\"escalated\"");
        double specialistTokens =
                metric("router_tokens_total", "target=\"specialist:billing-slm\"", "kind=\"completion\"");
        double requests = metric("router_requests_total", "reason=\"cascade-escalated\"", "target=\"large:cloud\"");

        // when
        HttpResponseFor<ChatCompletion> response =
                client.chat().completions().withRawResponse().create(ask("unsure:billing why was I charged twice"));

        // then
        ChatCompletion answer = response.parse();
        assertThat(answer.choices().get(0).message().content()).contains("Two charges: one is a hold.");
        assertThat(answer.model()).isEqualTo("cloud");
        assertThat(answer.usage().orElseThrow().completionTokens()).isEqualTo(8); // the returned answer's
        assertThat(response.headers().values("x-router-reason")).containsExactly("cascade-escalated");
        assertThat(response.headers().values("x-router-cascade-score")).containsExactly("0.0498");
        assertThat(response.headers().values("x-router-target")).containsExactly("large:cloud");
        assertThat(calls(LOCAL, SPECIALIST)).isEqualTo(1);
        // the large model gets the caller's request, without the logprobs the router asked the specialist for
        OPENAI.verify(postRequestedFor(urlEqualTo(CLOUD)).withRequestBody(matchingJsonPath("$.logprobs", absent())));
        assertThat(metric("router_cascade_total", "route=\"billing\",tenant=\"none\"", "outcome=\"escalated\"")
                        - escalated)
                .isEqualTo(1);
        assertThat(metric("router_tokens_total", "target=\"specialist:billing-slm\"", "kind=\"completion\"")
                        - specialistTokens)
                .isEqualTo(3); // the rejected answer's tokens, as its usage said
        assertThat(metric("router_requests_total", "reason=\"cascade-escalated\"", "target=\"large:cloud\"") - requests)
                .isEqualTo(1);
    }

    @Test
    void should_escalate_and_count_it_unscorable_when_the_specialist_gives_no_logprobs() {
        // given
        LOCAL.stubFor(post(SPECIALIST).willReturn(openAiCompletion("Pay by card")));
        OPENAI.stubFor(post(CLOUD).willReturn(openAiCompletion("From the cloud")));
        double unscorable = metric("router_cascade_total", "outcome=\"unscorable\"");

        // when
        HttpResponseFor<ChatCompletion> response =
                client.chat().completions().withRawResponse().create(ask("unsure:billing why was I charged twice"));

        // then
        assertThat(response.parse().choices().get(0).message().content()).contains("From the cloud");
        assertThat(response.headers().values("x-router-reason")).containsExactly("cascade-escalated");
        assertThat(response.headers().values("x-router-cascade-score")).isEmpty();
        assertThat(metric("router_cascade_total", "outcome=\"unscorable\"") - unscorable)
                .isEqualTo(1);
    }

    @Test
    void should_escalate_when_the_specialist_fails() {
        // given
        LOCAL.stubFor(post(SPECIALIST).willReturn(serverError()));
        OPENAI.stubFor(post(CLOUD).willReturn(openAiCompletion("From the cloud")));

        // when
        HttpResponseFor<ChatCompletion> response =
                client.chat().completions().withRawResponse().create(ask("unsure:billing why was I charged twice"));

        // then
        assertThat(response.parse().choices().get(0).message().content()).contains("From the cloud");
        assertThat(response.headers().values("x-router-reason")).containsExactly("cascade-escalated");
        assertThat(response.headers().values("x-router-escalated")).containsExactly("true");
    }

    @Test
    void should_keep_the_logprobs_in_the_answer_when_the_caller_asked_for_them() {
        // given
        LOCAL.stubFor(post(SPECIALIST).willReturn(openAiScoredCompletion("Pay by card", SURE)));

        // when
        ChatCompletion answer = client.chat()
                .completions()
                .create(ask("unsure:billing why was I charged twice").toBuilder()
                        .logprobs(true)
                        .build());

        // then
        assertThat(answer.choices().get(0).logprobs().orElseThrow().content().orElseThrow())
                .extracting(token -> token.token())
                .containsExactly("Pay", " by", " card");
    }

    @Test
    void should_never_cascade_nor_escalate_a_local_only_request_in_the_band() {
        // given: phone numbers are kept local by the test policy
        LOCAL.stubFor(post(SPECIALIST).willReturn(openAiScoredCompletion("We will call you", UNSURE)));

        // when
        HttpResponseFor<ChatCompletion> response = client.chat()
                .completions()
                .withRawResponse()
                .create(ask("unsure:billing call me back on +1 650 253 0000 about the charge"));

        // then
        assertThat(response.parse().choices().get(0).message().content()).contains("We will call you");
        assertThat(response.headers().values("x-router-reason")).containsExactly("low-confidence");
        assertThat(response.headers().values("x-router-residency")).containsExactly("local-only");
        assertThat(response.headers().values("x-router-cascade-score")).isEmpty();
        LOCAL.verify(
                postRequestedFor(urlEqualTo(SPECIALIST)).withRequestBody(matchingJsonPath("$.logprobs", absent())));
        assertThat(calls(OPENAI, CLOUD)).isZero();
    }

    @Test
    void should_stream_the_specialist_when_its_prefix_scores_high_whatever_follows_it() {
        // given: the first three tokens are sure; the fourth is not, but the prefix is three tokens
        LOCAL.stubFor(post(SPECIALIST)
                .willReturn(scoredStream(
                        new Token("Pay", SURE),
                        new Token(" by", SURE),
                        new Token(" card", SURE),
                        new Token(" today", UNSURE))));

        // when
        List<ChatCompletionChunk> chunks = streamed("unsure:billing why was I charged twice");

        // then
        assertThat(text(chunks)).isEqualTo("Pay by card today");
        assertThat(chunks).allSatisfy(chunk -> chunk.choices()
                .forEach(choice -> assertThat(choice.logprobs()).isEmpty()));
        assertThat(calls(OPENAI, CLOUD)).isZero();
        HttpHeaders headers = postChat(streamBody("unsure:billing why was I charged twice"))
                .expectStatus()
                .isOk()
                .returnResult(String.class)
                .getResponseHeaders();
        assertThat(headers.get("x-router-reason")).containsExactly("cascade-accepted");
        assertThat(headers.get("x-router-target")).containsExactly("specialist:billing-slm");
    }

    @Test
    void should_send_no_byte_of_a_rejected_specialist_stream_and_stream_the_large_model_instead() {
        // given: an unsure first token, then sure ones
        LOCAL.stubFor(post(SPECIALIST)
                .willReturn(scoredStream(
                        new Token("Wrongly", UNSURE), new Token(" refund", SURE), new Token(" it", SURE))));
        OPENAI.stubFor(post(CLOUD).willReturn(openAiStream(20, 4, "One charge ", "is a hold.")));

        // when
        List<ChatCompletionChunk> chunks = streamed("unsure:billing why was I charged twice");
        var raw = postChat(streamBody("unsure:billing why was I charged twice"))
                .expectStatus()
                .isOk()
                .returnResult(String.class);
        String body = raw.getResponseBody().collectList().block().stream().collect(Collectors.joining("\n"));

        // then
        assertThat(text(chunks)).isEqualTo("One charge is a hold.");
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.model()).isEqualTo("cloud"));
        assertThat(body).contains("One charge ").doesNotContain("Wrongly", "refund", "billing-slm");
        assertThat(raw.getResponseHeaders().get("x-router-reason")).containsExactly("cascade-escalated");
        assertThat(raw.getResponseHeaders().get("x-router-target")).containsExactly("large:cloud");
        assertThat(calls(LOCAL, SPECIALIST)).isEqualTo(2);
    }

    @Test
    void should_escalate_a_stream_whose_specialist_sends_no_logprobs() {
        // given
        LOCAL.stubFor(post(SPECIALIST).willReturn(openAiStream(5, 2, "Pay ", "by card")));
        OPENAI.stubFor(post(CLOUD).willReturn(openAiStream(20, 4, "From the cloud")));

        // when
        List<ChatCompletionChunk> chunks = streamed("unsure:billing why was I charged twice");

        // then
        assertThat(text(chunks)).isEqualTo("From the cloud");
    }

    private List<ChatCompletionChunk> streamed(String message) {
        try (StreamResponse<ChatCompletionChunk> stream =
                client.chat().completions().createStreaming(ask(message))) {
            return stream.stream().toList();
        }
    }

    private static String text(List<ChatCompletionChunk> chunks) {
        return chunks.stream()
                .flatMap(chunk -> chunk.choices().stream())
                .map(choice -> choice.delta().content().orElse(""))
                .collect(Collectors.joining());
    }

    private static ChatCompletionCreateParams ask(String message) {
        return ChatCompletionCreateParams.builder()
                .model("auto")
                .addUserMessage(message)
                .build();
    }

    private static String streamBody(String message) {
        return """
                {"model":"auto","stream":true,"messages":[{"role":"user","content":"%s"}]}"""
                .formatted(message);
    }

    private record Token(String text, double logprob) {
        String json() {
            return tokenLogprob(text, logprob);
        }
    }

    /** An OpenAI stream of one chunk a token, each with its logprob, then a stop, usage and {@code [DONE]}. */
    private static ResponseDefinitionBuilder scoredStream(Token... tokens) {
        StringBuilder body = new StringBuilder(chunk("{\"role\":\"assistant\",\"content\":\"\"}", "null", "null"));
        for (Token token : tokens) {
            body.append(
                    chunk("{\"content\":\"" + token.text() + "\"}", "{\"content\":[" + token.json() + "]}", "null"));
        }
        body.append(chunk("{}", "null", "\"stop\""));
        body.append(
                """
                data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],\
                "usage":{"prompt_tokens":12,"completion_tokens":%d,"total_tokens":%d}}

                data: [DONE]

                """
                        .formatted(tokens.length, 12 + tokens.length));
        return aResponse().withHeader("Content-Type", "text/event-stream").withBody(body.toString());
    }

    private static String chunk(String delta, String logprobs, String finishReason) {
        return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":" + logprobs + ",\"finish_reason\":"
                + finishReason + "}]}\n\n";
    }

    /** The sum of the Prometheus series {@code name} whose labels contain every one of {@code labels}. */
    private double metric(String name, String... labels) {
        String scrape = web.get()
                .uri("/actuator/prometheus")
                .exchange()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        return scrape.lines()
                .filter(line ->
                        line.startsWith(name + "{") && List.of(labels).stream().allMatch(line::contains))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
