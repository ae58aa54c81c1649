package dev.hybridrouter.router.bench;

/** The run cannot go on: a tool is missing, a process did not start or answer. The message says which. */
final class BenchmarkFailure extends RuntimeException {

    BenchmarkFailure(String message) {
        super(message);
    }
}
