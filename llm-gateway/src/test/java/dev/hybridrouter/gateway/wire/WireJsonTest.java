package dev.hybridrouter.gateway.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.MismatchedInputException;

class WireJsonTest {

    /** Every documented request field, some undocumented ones, and numbers whose text must survive. */
    static final String FULL_REQUEST =
            """
            {"model":"auto",
             "messages":[
               {"role":"developer","content":"Be brief."},
               {"role":"system","content":[{"type":"text","text":"You help."}]},
               {"role":"user","name":"ann","content":[
                 {"type":"text","text":"What is in this image?"},
                 {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
                 {"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}},
                 {"type":"file","file":{"file_id":"file-1"}}]},
               {"role":"assistant","content":null,"refusal":null,
                "tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}}],
                "audio":{"id":"audio_1"}},
               {"role":"tool","tool_call_id":"call_1","content":"sunny"},
               {"role":"assistant","content":"It is sunny.","reasoning_content":"the tool said so"}],
             "temperature":0.2,"top_p":0.9,"n":1,"stream":true,"stream_options":{"include_usage":true,"future":1},
             "stop":["\\n\\n","END"],"max_tokens":100,"max_completion_tokens":200,
             "presence_penalty":0.5,"frequency_penalty":-0.5,"logit_bias":{"50256":-100},
             "logprobs":true,"top_logprobs":3,"seed":42,"user":"user-7",
             "tools":[{"type":"function","function":{"name":"weather","description":"Weather of a city",
               "parameters":{"type":"object","properties":{"city":{"type":"string","description":"City"}},"required":["city"]},
               "strict":true}}],
             "tool_choice":{"type":"function","function":{"name":"weather"}},
             "parallel_tool_calls":false,
             "response_format":{"type":"json_schema","json_schema":{"name":"answer","description":"An answer",
               "schema":{"type":"object","properties":{"a":{"type":"number","minimum":1.10}}},"strict":true}},
             "metadata":{"team":"support"},"store":false,"service_tier":"auto","reasoning_effort":"low",
             "prediction":{"type":"content","content":"draft"},"audio":{"voice":"alloy","format":"mp3"},
             "modalities":["text","audio"],
             "verbosity":"low","web_search_options":{"search_context_size":"low","nested":{"x":[1,2.50,null]}}}
            """;

    @Test
    void should_write_a_request_back_exactly_as_it_was_read() {
        JsonNode sent = WireJson.MAPPER.readTree(FULL_REQUEST);

        ChatCompletionRequest request = WireJson.MAPPER.readValue(FULL_REQUEST, ChatCompletionRequest.class);
        JsonNode written = WireJson.MAPPER.readTree(WireJson.MAPPER.writeValueAsString(request));

        assertThat(withoutExplicitNulls(written)).isEqualTo(withoutExplicitNulls(sent));
        assertThat(written.toString()).contains("1.10", "2.50");
    }

    @Test
    void should_keep_what_the_router_reads_typed() {
        ChatCompletionRequest request = WireJson.MAPPER.readValue(FULL_REQUEST, ChatCompletionRequest.class);

        assertThat(request.messages()).hasSize(6);
        assertThat(request.messages().get(0).role()).isEqualTo("developer");
        assertThat(request.messages().get(2).content().parts()).hasSize(4);
        assertThat(request.messages().get(2).text()).isEqualTo("What is in this image?");
        assertThat(request.messages().get(3).toolCalls().get(0).function().name())
                .isEqualTo("weather");
        assertThat(request.messages().get(5).extra()).containsKey("reasoning_content");
        assertThat(request.maxTokens()).isEqualTo(100);
        assertThat(request.maxCompletionTokens()).isEqualTo(200);
        assertThat(request.includeUsage()).isTrue();
        assertThat(request.extra()).containsOnlyKeys("verbosity", "web_search_options");
        assertThat(Texts.hasOpaqueContent(request)).isTrue();
    }

    @Test
    void should_write_an_answer_back_exactly_as_the_upstream_sent_it() {
        String answer =
                """
                {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini",
                 "choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,"annotations":[],
                   "tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{}"}}]},
                   "logprobs":{"content":[{"token":"Hi","logprob":-0.25,"bytes":[72,105],
                     "top_logprobs":[{"token":"Hi","logprob":-0.25,"bytes":[72,105]}]}],"refusal":null},
                   "finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12,
                   "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}},
                 "service_tier":"default","system_fingerprint":"fp_1","future_field":{"x":1}}
                """;

        ChatCompletion completion = WireJson.MAPPER.readValue(answer, ChatCompletion.class);

        assertThat(withoutExplicitNulls(WireJson.MAPPER.readTree(WireJson.MAPPER.writeValueAsString(completion))))
                .isEqualTo(withoutExplicitNulls(WireJson.MAPPER.readTree(answer)));
    }

    @Test
    void should_write_null_finish_reason_and_logprobs_in_every_chunk() {
        ChatCompletionChunk chunk = WireJson.MAPPER.readValue(
                """
                {"id":"c","object":"chat.completion.chunk","created":1,"model":"m",
                 "choices":[{"index":0,"delta":{"content":"Hi"}}]}""",
                ChatCompletionChunk.class);

        assertThat(WireJson.MAPPER.writeValueAsString(chunk))
                .contains("\"logprobs\":null", "\"finish_reason\":null")
                .doesNotContain("\"usage\"");
    }

    @Test
    void should_keep_a_field_named_extra_like_any_other_unknown_field_and_nulls_in_lists() {
        String json =
                """
                {"messages":[null,{"role":"user","content":"hi","extra":true}],"extra":{"a":1}}""";

        ChatCompletionRequest request = WireJson.MAPPER.readValue(json, ChatCompletionRequest.class);

        assertThat(request.extra()).containsOnlyKeys("extra");
        assertThat(request.messages()).hasSize(2).first().isNull();
        assertThat(request.messages().get(1).extra()).containsOnlyKeys("extra");
        assertThat(WireJson.MAPPER.readTree(WireJson.MAPPER.writeValueAsString(request)))
                .isEqualTo(WireJson.MAPPER.readTree(json));
    }

    @Test
    void should_reject_duplicate_keys() {
        assertThatThrownBy(() -> WireJson.MAPPER.readValue(
                        "{\"model\":\"auto\",\"model\":\"cloud\",\"messages\":[]}", ChatCompletionRequest.class))
                .isInstanceOf(StreamReadException.class)
                .hasMessageContaining("Duplicate");
    }

    @Test
    void should_reject_content_that_is_neither_a_string_nor_parts() {
        assertThatThrownBy(() -> WireJson.MAPPER.readValue(
                        "{\"messages\":[{\"role\":\"user\",\"content\":42}]}", ChatCompletionRequest.class))
                .isInstanceOf(MismatchedInputException.class);
    }

    /** Explicit nulls of typed fields are not kept (absent and null mean the same in this API). */
    private static JsonNode withoutExplicitNulls(JsonNode node) {
        if (node.isObject()) {
            var copy = WireJson.MAPPER.createObjectNode();
            node.properties().forEach(property -> {
                if (!property.getValue().isNull()) {
                    copy.set(property.getKey(), withoutExplicitNulls(property.getValue()));
                }
            });
            return copy;
        }
        if (node.isArray()) {
            var copy = WireJson.MAPPER.createArrayNode();
            node.forEach(element -> copy.add(withoutExplicitNulls(element)));
            return copy;
        }
        return node;
    }
}
