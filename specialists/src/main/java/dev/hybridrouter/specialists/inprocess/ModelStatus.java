package dev.hybridrouter.specialists.inprocess;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A snapshot of one registered model, for health and metrics.
 *
 * @param file the model file
 * @param state where it stands
 * @param reason why it is {@link ModelState#FAILED} or {@link ModelState#MISSING}, else {@code null}
 * @param since when it entered {@code state}
 * @param fileSizeBytes the file's length, or 0 when missing
 * @param architecture {@code general.architecture} once read, else {@code null}
 * @param contextSize tokens of context per request once loaded, else 0
 * @param maxConcurrent requests generated at once
 * @param running requests generating now
 * @param queued callers waiting for a slot (or for the load to finish)
 * @param kvCacheBytes the F16 KV cache llama.cpp allocates for all slots, computed from the header, or {@code null}
 * @param residentGrowthBytes how much the process's resident memory grew across the native load (Linux
 *     {@code VmRSS}, approximate: other threads allocate too, and weights are memory-mapped so they count only once
 *     touched), or {@code null} where unknown
 */
public record ModelStatus(
        Path file,
        ModelState state,
        String reason,
        Instant since,
        long fileSizeBytes,
        String architecture,
        int contextSize,
        int maxConcurrent,
        int running,
        int queued,
        Long kvCacheBytes,
        Long residentGrowthBytes) {}
