package dev.hybridrouter.router;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import java.util.ArrayList;
import java.util.List;

/** Responses in the formats real upstream APIs send, for WireMock. */
public final class UpstreamFakes {

    private UpstreamFakes() {}

    public static ResponseDefinitionBuilder openAiCompletion(String content, int promptTokens, int completionTokens) {
        return okJson(
                """
                {"id":"chatcmpl-up","object":"chat.completion","created":1700000000,"model":"upstream-model",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}
                """
                        .formatted(content, promptTokens, completionTokens, promptTokens + completionTokens));
    }

    /** An OpenAI SSE stream sending the pieces, a stop, usage, then {@code [DONE]}. */
    public static ResponseDefinitionBuilder openAiStream(int promptTokens, int completionTokens, String... pieces) {
        StringBuilder body = new StringBuilder(chunk("{\"role\":\"assistant\",\"content\":\"\"}", null));
        for (String piece : pieces) {
            body.append(chunk("{\"content\":\"" + piece + "\"}", null));
        }
        body.append(chunk("{}", "\"stop\""));
        body.append(
                """
                data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],\
                "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}

                data: [DONE]

                """
                        .formatted(promptTokens, completionTokens, promptTokens + completionTokens));
        return aResponse().withHeader("Content-Type", "text/event-stream").withBody(body.toString());
    }

    public static String chunk(String delta, String finishReason) {
        return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finishReason + "}]}\n\n";
    }

    /** An OpenAI completion answering {@code content}. */
    public static ResponseDefinitionBuilder openAiCompletion(String content) {
        return openAiCompletion(content, 1, 1);
    }

    /** One OpenAI stream chunk carrying {@code text}. */
    public static String openAiChunk(String text) {
        return chunk("{\"content\":\"" + text + "\"}", null);
    }

    /**
     * An Anthropic Messages API answer, as the event stream the router asks for: it streams from Anthropic
     * for whole answers too, and gathers them.
     */
    public static ResponseDefinitionBuilder anthropicMessage(String text) {
        return anthropicStream(text);
    }

    /** An Anthropic Messages API event stream answering {@code text}, ended by {@code end_turn}. */
    public static ResponseDefinitionBuilder anthropicStream(String text) {
        return anthropicStream(text, "end_turn", 25, 6);
    }

    /** An Anthropic Messages API event stream answering {@code text}. */
    public static ResponseDefinitionBuilder anthropicStream(
            String text, String stopReason, int inputTokens, int outputTokens) {
        return aResponse()
                .withHeader("Content-Type", "text/event-stream")
                .withBody(
                        """
                        event: message_start
                        data: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"c","content":[],"stop_reason":null,"usage":{"input_tokens":%2$d,"output_tokens":1}}}

                        event: content_block_start
                        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                        event: content_block_delta
                        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"%1$s"}}

                        event: content_block_stop
                        data: {"type":"content_block_stop","index":0}

                        event: message_delta
                        data: {"type":"message_delta","delta":{"stop_reason":"%4$s","stop_sequence":null},"usage":{"output_tokens":%3$d}}

                        event: message_stop
                        data: {"type":"message_stop"}

                        """
                                .formatted(text, inputTokens, outputTokens, stopReason));
    }

    /** A whole answer of one token a word (the first plain, the rest after a space), each with this logprob. */
    public static ResponseDefinitionBuilder openAiScoredCompletion(String content, double logprob) {
        List<String> tokens = new ArrayList<>();
        String[] words = content.split(" ");
        for (int i = 0; i < words.length; i++) {
            tokens.add(tokenLogprob(i == 0 ? words[i] : " " + words[i], logprob));
        }
        return okJson(
                """
                {"id":"chatcmpl-s","object":"chat.completion","created":1700000000,"model":"upstream-model",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"%s"},
                   "logprobs":{"content":[%s],"refusal":null},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":12,"completion_tokens":%d,"total_tokens":%d}}
                """
                        .formatted(content, String.join(",", tokens), words.length, 12 + words.length));
    }

    /** One entry of {@code logprobs.content}: a token and its log-probability. */
    public static String tokenLogprob(String text, double logprob) {
        return "{\"token\":\"" + text + "\",\"logprob\":" + logprob + ",\"bytes\":[],\"top_logprobs\":[]}";
    }
}
