package dev.hybridrouter.router.config;

import jakarta.annotation.PostConstruct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Hooks;

/**
 * What Reactor does with a failure that arrives after its stream has ended, such as an upstream's error
 * after the caller went away: it is logged at debug, on one line. Reactor's default logs it at error with a
 * stack trace, which for a gateway is routine, not a fault.
 */
@Component
class DroppedErrors {

    private static final Logger log = LoggerFactory.getLogger(DroppedErrors.class);

    @PostConstruct
    void install() {
        Hooks.onErrorDropped(failure -> log.debug("A failure after its stream had ended: {}", failure.toString()));
    }
}
