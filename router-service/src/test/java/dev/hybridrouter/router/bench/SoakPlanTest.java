package dev.hybridrouter.router.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The soak's plan, without running it: which request falls in which phase, and which requests are sent. */
class SoakPlanTest {

    @Test
    void should_split_the_counted_requests_40_30_30_after_the_warmup() {
        // given: 100 warm-up requests, then 1000 counted
        try (CloudPhases phases =
                new CloudPhases(new FakeOpenAiServer("cloud", null, 1, 1, 1), Map::of, 100, 1000, 0.3)) {
            // then
            assertThat(phases.phaseOf(0)).isEqualTo(Phase.WARMUP);
            assertThat(phases.phaseOf(99)).isEqualTo(Phase.WARMUP);
            assertThat(phases.phaseOf(100)).isEqualTo(Phase.FLAPPING);
            assertThat(phases.phaseOf(499)).isEqualTo(Phase.FLAPPING);
            assertThat(phases.phaseOf(500)).isEqualTo(Phase.DOWN);
            assertThat(phases.phaseOf(799)).isEqualTo(Phase.DOWN);
            assertThat(phases.phaseOf(800)).isEqualTo(Phase.BACK);
            assertThat(phases.phaseOf(1099)).isEqualTo(Phase.BACK);
        }
    }

    @Test
    void should_plan_the_same_requests_when_the_seed_is_the_same() {
        // when
        List<LoadGenerator.Request> plan = LoadGenerator.plan(2000, 42, 0.5, 0.2);

        // then
        assertThat(plan).isEqualTo(LoadGenerator.plan(2000, 42, 0.5, 0.2));
        assertThat(plan.stream().filter(LoadGenerator.Request::escalating).count())
                .isBetween(900L, 1100L);
        assertThat(plan.stream().filter(LoadGenerator.Request::streaming).count())
                .isBetween(320L, 480L);
        assertThat(plan)
                .filteredOn(request -> !request.escalating())
                .allMatch(request ->
                        request.text().contains("it-helpdesk") || request.text().contains("hr question"));
        assertThat(plan)
                .filteredOn(LoadGenerator.Request::escalating)
                .noneMatch(request ->
                        request.text().contains("it-helpdesk") || request.text().contains("hr"));
    }
}
