package dev.hybridrouter.router.chat;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

/** Responses in the formats real upstream APIs send, for WireMock. */
final class OpenAiUpstreamFakes {

    private OpenAiUpstreamFakes() {}

    static ResponseDefinitionBuilder openAiCompletion(String content, int promptTokens, int completionTokens) {
        return okJson(
                """
                {"id":"chatcmpl-up","object":"chat.completion","created":1700000000,"model":"upstream-model",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}
                """
                        .formatted(content, promptTokens, completionTokens, promptTokens + completionTokens));
    }

    /** An OpenAI SSE stream sending the pieces, a stop, usage, then {@code [DONE]}. */
    static ResponseDefinitionBuilder openAiStream(int promptTokens, int completionTokens, String... pieces) {
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

    static String chunk(String delta, String finishReason) {
        return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finishReason + "}]}\n\n";
    }
}
