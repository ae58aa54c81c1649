package dev.hybridrouter.router;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The router service: one OpenAI-compatible chat endpoint in front of local specialists and large models. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class HybridRouterApplication {

    public static void main(String[] args) {
        SpringApplication.run(HybridRouterApplication.class, args);
    }
}
