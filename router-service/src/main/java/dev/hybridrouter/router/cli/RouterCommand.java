package dev.hybridrouter.router.cli;

import dev.hybridrouter.router.capture.ExportCommand;
import java.io.PrintWriter;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level command: lists the tools; without one, the jar starts the service. */
@Command(
        name = "java -jar router-service.jar",
        mixinStandardHelpOptions = true,
        versionProvider = RouterCommand.Version.class,
        description = {
            "Hybrid Router: an OpenAI-compatible router between local specialist models and large remote models.",
            "",
            "Without a command, starts the service (Spring Boot options such as --server.port=9090 apply)."
        },
        subcommands = {
            ValidateCommand.class,
            EvalCommand.class,
            CalibrateCommand.class,
            ExportCommand.class,
            ReviewCommand.class,
            PromoteCommand.class,
            CommandLine.HelpCommand.class
        })
public final class RouterCommand {

    private static final Set<String> OWN_ARGUMENTS = Set.of("-h", "--help", "-V", "--version");

    /** Whether these arguments ask for a tool rather than the service. */
    public static boolean isCommand(String[] args) {
        if (args.length == 0) {
            return false;
        }
        return OWN_ARGUMENTS.contains(args[0])
                || new CommandLine(new RouterCommand()).getSubcommands().containsKey(args[0]);
    }

    /** Runs a tool and returns its exit code: 0 success, 1 failure (e.g. an invalid policy), 2 bad usage. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return new CommandLine(new RouterCommand()).setOut(out).setErr(err).execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = RouterCommand.class.getPackage().getImplementationVersion();
            return new String[] {"Hybrid Router " + (version != null ? version : "(development build)")};
        }
    }
}
