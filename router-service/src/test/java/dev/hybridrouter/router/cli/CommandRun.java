package dev.hybridrouter.router.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of a command-line tool, with what it printed. */
record CommandRun(int exitCode, String out, String err) {

    static CommandRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = RouterCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CommandRun(exitCode, out.toString(), err.toString());
    }
}
