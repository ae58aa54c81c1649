package dev.hybridrouter.router.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybridrouter.router.RouterTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/** {@code POST /v1/route}: the decision, explained, and no model called. */
class RouteEndpointIT extends RouterTestSupport {

    @Test
    void should_explain_an_escalation_with_its_failover_plan_without_calling_any_model() {
        web.post()
                .uri("/v1/route")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(
                        """
                        {"model": "auto", "messages": [{"role": "user", "content": "write a sonnet"}]}""")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.route")
                .isEqualTo("it-helpdesk")
                .jsonPath("$.target")
                .isEqualTo("large:cloud")
                .jsonPath("$.escalate")
                .isEqualTo(true)
                .jsonPath("$.reason")
                .isEqualTo("low-confidence")
                .jsonPath("$.confidence")
                .isEqualTo(0.1)
                .jsonPath("$.scores.hr")
                .isEqualTo(0.1)
                .jsonPath("$.local_only")
                .isEqualTo(false)
                .jsonPath("$.plan")
                .isEqualTo(java.util.List.of("large:cloud", "large:claude", "specialist:helpdesk-slm"));

        assertThat(LOCAL.getAllServeEvents()).isEmpty();
        assertThat(OPENAI.getAllServeEvents()).isEmpty();
        assertThat(ANTHROPIC.getAllServeEvents()).isEmpty();
    }

    @Test
    void should_explain_why_a_request_stays_local_and_plan_no_large_model() {
        web.post()
                .uri("/v1/route")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(
                        """
                        {"model": "auto", "messages": [{"role": "system", "content": "the patient records say X"},
                          {"role": "user", "content": "write a sonnet"}]}""")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.local_only")
                .isEqualTo(true)
                .jsonPath("$.local_only_reason")
                .value(String.class, reason -> assertThat(reason)
                        .isEqualTo("messages[0] looks like local-only domain 'records' (0.90 >= 0.30)"))
                .jsonPath("$.escalate")
                .isEqualTo(false)
                .jsonPath("$.plan")
                .isEqualTo(java.util.List.of("specialist:records-slm"));
    }

    @Test
    void should_explain_a_forced_route() {
        web.post()
                .uri("/v1/route")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(
                        """
                        {"model": "hr", "messages": [{"role": "user", "content": "payday?"}]}""")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.target")
                .isEqualTo("specialist:hr-slm")
                .jsonPath("$.reason")
                .isEqualTo("forced")
                .jsonPath("$.confidence")
                .isEqualTo(1.0)
                .jsonPath("$.plan")
                .isEqualTo(java.util.List.of("specialist:hr-slm"));
    }

    @Test
    void should_validate_like_the_chat_endpoint_when_the_request_is_bad() {
        web.post()
                .uri("/v1/route")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\": \"auto\", \"messages\": []}")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("invalid_request_error")
                .jsonPath("$.error.param")
                .isEqualTo("messages");
        web.post()
                .uri("/v1/route")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\": \"nope\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("model_not_found");
    }
}
