package dev.hybridrouter.router.bench;

/** What the fake cloud does while a slice of the soak's requests is sent. */
enum Phase {
    WARMUP("warm-up", "cloud healthy, to warm the JIT up; not in the total"),
    FLAPPING("1: flapping", "cloud fails a share of calls: HTTP 500, HTTP 503 or connection reset"),
    DOWN("2: down", "cloud stopped: connections refused"),
    BACK("3: back", "cloud healthy again");

    private final String title;
    private final String description;

    Phase(String title, String description) {
        this.title = title;
        this.description = description;
    }

    String title() {
        return title;
    }

    String description() {
        return description;
    }
}
