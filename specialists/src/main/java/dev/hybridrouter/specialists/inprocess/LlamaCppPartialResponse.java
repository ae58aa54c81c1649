package dev.hybridrouter.specialists.inprocess;

import dev.langchain4j.model.chat.response.PartialResponse;
import java.util.Objects;

/**
 * One streamed token's text (a token held back while it might begin a stop sequence comes out later, on its own),
 * with its log-probability when the request asked for it.
 */
public class LlamaCppPartialResponse extends PartialResponse {

    private final TokenLogprob logprob;

    public LlamaCppPartialResponse(String text, TokenLogprob logprob) {
        super(text);
        this.logprob = logprob;
    }

    /** The token's log-probability, or {@code null}: always {@code null} with de.kherud:llama 4.2.0. */
    public TokenLogprob logprob() {
        return logprob;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && Objects.equals(logprob, ((LlamaCppPartialResponse) o).logprob);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), logprob);
    }

    @Override
    public String toString() {
        return "LlamaCppPartialResponse{text='" + text() + "', logprob=" + logprob + '}';
    }
}
