package dev.hybridrouter.specialists.inprocess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's resident set size, where the platform tells it (Linux {@code /proc/self/status}). */
final class ResidentMemory {

    private static final Path STATUS = Path.of("/proc/self/status");

    private ResidentMemory() {}

    /** Resident bytes now, or {@code null} where unknown. */
    static Long bytes() {
        if (!Files.isReadable(STATUS)) {
            return null;
        }
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    String digits = line.replaceAll("[^0-9]", "");
                    return digits.isEmpty() ? null : Long.parseLong(digits) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }
}
