package dev.hybridrouter.gateway.langchain4j;

import dev.hybridrouter.gateway.UpstreamException;
import dev.hybridrouter.gateway.wire.ChatCompletionRequest;
import dev.hybridrouter.gateway.wire.Logprobs;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;

/**
 * What one LangChain4j provider can do beyond the common core (messages, temperature, {@code top_p},
 * answer length, stop sequences, streaming), and how its own request parameters carry it.
 */
public interface Dialect {

    /** The provider's name in messages, e.g. {@code anthropic}. */
    String provider();

    /** Whether the provider honours a feature; a request that needs one it lacks gets a 400 naming it. */
    boolean supports(Feature feature);

    /**
     * The provider's parameters for a request: the common ones, plus what this provider carries in its own
     * parameter type (a named tool choice, a seed, a user id, ...).
     */
    ChatRequestParameters parameters(ChatCompletionRequest request, ChatRequestParameters common);

    /**
     * A failure the provider's own exceptions say more of (its busy or not-loaded states, say) as the router
     * reports it, or {@code null} to map it the common way. The message must not quote the prompt.
     *
     * @param upstream how errors name the upstream, e.g. {@code specialist 'support'}
     */
    default UpstreamException failure(String upstream, Throwable error) {
        return null;
    }

    /** The log-probabilities of a whole answer, or {@code null} when the provider gives none. */
    default Logprobs logprobs(ChatResponse response) {
        return null;
    }

    /** The log-probabilities of a streamed piece, or {@code null}. */
    default Logprobs logprobs(PartialResponse partial) {
        return null;
    }

    /** The request fields beyond the common core, each needing the provider's support. */
    enum Feature {
        /** {@code tools}, {@code tool_choice} modes, tool-call history. */
        TOOLS,
        /** {@code tool_choice} naming one function. */
        NAMED_TOOL_CHOICE,
        /** {@code parallel_tool_calls: false}. */
        SERIAL_TOOL_CALLS,
        /** {@code strict} tool schemas. */
        STRICT_TOOLS,
        /** {@code response_format} of type {@code json_schema}. */
        JSON_SCHEMA,
        /** {@code response_format} of type {@code json_object}. */
        JSON_OBJECT,
        /** {@code logprobs}, {@code top_logprobs}. */
        LOGPROBS,
        SEED,
        /** {@code presence_penalty}, {@code frequency_penalty}. */
        PENALTIES,
        /** {@code user}. */
        USER,
        /** Image content parts. */
        IMAGES
    }
}
