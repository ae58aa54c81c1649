package dev.hybridrouter.router;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.hybridrouter.router.cli.RouterCommand;
import java.io.PrintWriter;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The router service: one OpenAI-compatible chat endpoint in front of local specialists and large models. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class HybridRouterApplication {

    /** Runs a command-line tool when the arguments name one (see {@code --help}); else starts the service. */
    public static void main(String[] args) {
        if (RouterCommand.isCommand(args)) {
            System.exit(RouterCommand.run(
                    args, new PrintWriter(System.out, true, UTF_8), new PrintWriter(System.err, true, UTF_8)));
        }
        SpringApplication.run(HybridRouterApplication.class, args);
    }
}
