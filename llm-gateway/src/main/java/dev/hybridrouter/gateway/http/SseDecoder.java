package dev.hybridrouter.gateway.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a server-sent event stream, arriving in arbitrary pieces, into events, as the HTML standard
 * reads them: lines end in LF, CRLF or CR; {@code data:} lines of one event are joined by LF; {@code
 * event:} names it; comments ({@code :...}) and other fields are skipped; an empty line ends the event.
 * One per stream; not thread-safe.
 */
public final class SseDecoder {

    /** One event: its name ({@code message} unless the stream named it) and its data. */
    public record Event(String name, String data) {}

    private final int maxEventBytes;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final StringBuilder data = new StringBuilder();
    private String name;
    private boolean hasData;
    private boolean afterCarriageReturn;
    private int eventBytes;

    /** @param maxEventBytes the largest event accepted; a larger one fails the stream */
    public SseDecoder(int maxEventBytes) {
        this.maxEventBytes = maxEventBytes;
    }

    /**
     * @return the events this piece completed, possibly none
     * @throws IllegalStateException if an event grows beyond the limit
     */
    public List<Event> feed(byte[] bytes) {
        List<Event> events = new ArrayList<>(2);
        for (byte b : bytes) {
            if (b == '\n' && afterCarriageReturn) {
                afterCarriageReturn = false;
                continue;
            }
            afterCarriageReturn = b == '\r';
            if (b == '\n' || b == '\r') {
                endLine(events);
            } else {
                if (++eventBytes > maxEventBytes) {
                    throw new IllegalStateException("a server-sent event is larger than " + maxEventBytes + " bytes");
                }
                line.write(b);
            }
        }
        return events;
    }

    /** The event still open when the stream ended without its blank line, if it has data. */
    public List<Event> finish() {
        List<Event> events = new ArrayList<>(1);
        if (line.size() > 0) {
            endLine(events);
        }
        if (hasData) {
            events.add(new Event(name == null ? "message" : name, data.toString()));
        }
        return events;
    }

    private void endLine(List<Event> events) {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.isEmpty()) {
            if (hasData) {
                events.add(new Event(name == null ? "message" : name, data.toString()));
            }
            data.setLength(0);
            name = null;
            hasData = false;
            eventBytes = 0;
            return;
        }
        if (text.startsWith(":")) {
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        if (field.equals("data")) {
            if (hasData) {
                data.append('\n');
            }
            data.append(value);
            hasData = true;
        } else if (field.equals("event")) {
            name = value;
        }
    }
}
