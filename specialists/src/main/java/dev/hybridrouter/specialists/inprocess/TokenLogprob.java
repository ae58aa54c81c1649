package dev.hybridrouter.specialists.inprocess;

import java.util.List;

/**
 * The log-probability of one answer token, shaped like an entry of OpenAI's {@code logprobs.content[]}.
 *
 * <p>Not produced by de.kherud:llama 4.2.0: see {@link LlamaCppChatRequestParameters#logprobs()}.
 *
 * @param token the token's text
 * @param logprob natural log of its probability under the model's distribution before sampling
 * @param top the most likely tokens at that position, most likely first
 */
public record TokenLogprob(String token, double logprob, List<TopLogprob> top) {

    public TokenLogprob {
        top = List.copyOf(top);
    }

    /** One alternative at a position. */
    public record TopLogprob(String token, double logprob) {}
}
