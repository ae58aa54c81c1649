package dev.hybridrouter.specialists.inprocess;

/** Where a registered model stands, for health checks. */
public enum ModelState {
    /** Registered lazily and not asked for yet: it loads on the first request. */
    NOT_LOADED,
    /** Being checked and loaded. */
    LOADING,
    /** Loaded; serves requests. */
    READY,
    /** The file is not there (yet): the next request, or {@link LlamaCppModel#loadAsync()}, looks again. */
    MISSING,
    /** The file was refused (see the reason); stays so until the process restarts. */
    FAILED,
    /** {@link LlamaCppModel#close()} was called. */
    CLOSED
}
