package dev.hybridrouter.specialists.inprocess;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Finds stop sequences in streamed token texts, holding back any tail that could still begin one. Released text
 * keeps its token boundaries, so each streamed piece is one token's text (or the part of it before a stop
 * sequence).
 *
 * <p>Done in Java rather than by llama.cpp: llama.cpp reports neither why a generation ended (stop sequence, end
 * of turn or length) through the bindings, and in stream mode it drops text it was holding back when the length
 * limit ends the answer. Here a stop sequence is known for sure, the length limit is llama.cpp's own count.
 */
final class StopSequences {

    private final List<String> stops;
    private final Deque<String> held = new ArrayDeque<>();
    private final StringBuilder heldText = new StringBuilder();
    private boolean matched;

    StopSequences(List<String> stops) {
        this.stops = List.copyOf(stops);
    }

    /** Whether a stop sequence was found; nothing after it is released. */
    boolean matched() {
        return matched;
    }

    /** Takes one token's text; returns the pieces safe to release now, in order. */
    List<String> accept(String text) {
        if (matched || text.isEmpty()) {
            return List.of();
        }
        held.addLast(text);
        heldText.append(text);
        if (stops.isEmpty()) {
            return release(heldText.length());
        }
        int match = firstMatch();
        if (match >= 0) {
            matched = true;
            return release(match);
        }
        return release(heldText.length() - longestPrefixTail());
    }

    /** At the end of the answer: whatever is still held. */
    List<String> flush() {
        return matched ? List.of() : release(heldText.length());
    }

    private int firstMatch() {
        int best = -1;
        for (String stop : stops) {
            int at = heldText.indexOf(stop);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    /** The length of the longest tail of the held text that is a proper prefix of some stop sequence. */
    private int longestPrefixTail() {
        int longest = 0;
        String text = heldText.toString();
        for (String stop : stops) {
            int max = Math.min(stop.length() - 1, text.length());
            for (int n = max; n > longest; n--) {
                if (text.regionMatches(text.length() - n, stop, 0, n)) {
                    longest = n;
                    break;
                }
            }
        }
        return longest;
    }

    /** Releases the first {@code count} held characters as whole or split pieces; with a match, drops the rest. */
    private List<String> release(int count) {
        List<String> out = new ArrayList<>();
        int left = count;
        while (left > 0 && !held.isEmpty()) {
            String piece = held.pollFirst();
            if (piece.length() <= left) {
                out.add(piece);
                left -= piece.length();
            } else {
                out.add(piece.substring(0, left));
                held.addFirst(piece.substring(left));
                left = 0;
            }
        }
        heldText.delete(0, count);
        if (matched) {
            held.clear();
            heldText.setLength(0);
        }
        return out;
    }
}
