package dev.hybridrouter.router.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a point of the run sends its requests to, and which requests. */
enum Target {
    DIRECT(Server.FAKE, false, false, "the fake upstream itself, one repeated message"),
    NGINX(Server.NGINX, false, false, "nginx in front of the fake, one repeated message"),
    ROUTER_REPEATED(Server.ROUTER, false, false, "the router, one repeated message (its embedding cache answers)"),
    ROUTER_DISTINCT(
            Server.ROUTER,
            false,
            true,
            "the router, a different message every request (HWU64 test texts, each tagged to be unique)"),
    ROUTER_STREAM(Server.ROUTER, true, false, "the router, one repeated message, streamed (\"stream\":true)"),
    DIRECT_STREAM(Server.FAKE, true, false, "the fake upstream itself, streamed"),
    NGINX_STREAM(Server.NGINX, true, false, "nginx in front of the fake, streamed");

    /** The process that serves a target's requests. */
    enum Server {
        FAKE,
        NGINX,
        ROUTER
    }

    private final Server server;
    private final boolean stream;
    private final boolean distinct;
    private final String description;

    Target(Server server, boolean stream, boolean distinct, String description) {
        this.server = server;
        this.stream = stream;
        this.distinct = distinct;
        this.description = description;
    }

    /** The name used on the command line and in the report, e.g. {@code router-repeated}. */
    String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    Server server() {
        return server;
    }

    boolean stream() {
        return stream;
    }

    boolean distinct() {
        return distinct;
    }

    String description() {
        return description;
    }

    /** The nginx target a router target is compared with: the same kind of answer, whole or streamed. */
    Target nginxPeer() {
        return stream ? NGINX_STREAM : NGINX;
    }

    static Target of(String label) {
        for (Target target : values()) {
            if (target.label().equals(label.trim().toLowerCase(Locale.ROOT))) {
                return target;
            }
        }
        throw new IllegalArgumentException("unknown target '" + label + "'; known: " + labels());
    }

    static String labels() {
        return Arrays.stream(values()).map(Target::label).collect(Collectors.joining(", "));
    }
}
