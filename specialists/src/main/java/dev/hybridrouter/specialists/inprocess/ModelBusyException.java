package dev.hybridrouter.specialists.inprocess;

import dev.langchain4j.exception.RetriableException;

/**
 * Every slot of a loaded model is taken and its wait queue is full (or a queued call waited longer than the
 * queue timeout). The call did no work; the service answers 503 {@code upstream_busy}.
 */
public class ModelBusyException extends RetriableException {

    public ModelBusyException(String message) {
        super(message);
    }
}
