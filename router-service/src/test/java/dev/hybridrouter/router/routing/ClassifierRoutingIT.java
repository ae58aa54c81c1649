package dev.hybridrouter.router.routing;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The service as it starts by default: the bundled policy and the real in-process embedding classifier,
 * deciding where requests go (no model is called).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class ClassifierRoutingIT {

    @Autowired
    WebTestClient web;

    @Test
    void should_route_a_helpdesk_question_to_the_helpdesk_specialist() {
        route("I forgot my password and now I cannot log in to my laptop")
                .jsonPath("$.route")
                .isEqualTo("it-helpdesk")
                .jsonPath("$.target")
                .isEqualTo("specialist:helpdesk-slm")
                .jsonPath("$.reason")
                .isEqualTo("confident")
                .jsonPath("$.escalate")
                .isEqualTo(false);
    }

    @Test
    void should_route_an_hr_question_to_the_hr_specialist() {
        route("how many days of vacation do I still have this year")
                .jsonPath("$.route")
                .isEqualTo("hr")
                .jsonPath("$.target")
                .isEqualTo("specialist:hr-slm");
    }

    @Test
    void should_escalate_a_question_outside_every_domain() {
        route("write a poem about the history of the Roman empire")
                .jsonPath("$.target")
                .isEqualTo("large:cloud")
                .jsonPath("$.escalate")
                .isEqualTo(true);
    }

    @Test
    void should_let_the_last_turn_decide_when_the_conversation_changes_topic() {
        web.mutate()
                .responseTimeout(Duration.ofSeconds(30))
                .build()
                .post()
                .uri("/v1/route")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(
                        """
                        {"model": "auto", "messages": [
                          {"role": "system", "content": "You are an HR assistant. Payroll questions only."},
                          {"role": "user", "content": "when is payday this month"},
                          {"role": "assistant", "content": "On the 25th."},
                          {"role": "user", "content": "thanks. also my laptop will not connect to the VPN"}]}""")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.route")
                .isEqualTo("it-helpdesk");
    }

    private WebTestClient.BodyContentSpec route(String text) {
        return web.mutate()
                .responseTimeout(Duration.ofSeconds(30))
                .build()
                .post()
                .uri("/v1/route")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\": \"auto\", \"messages\": [{\"role\": \"user\", \"content\": \"" + text + "\"}]}")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody();
    }
}
