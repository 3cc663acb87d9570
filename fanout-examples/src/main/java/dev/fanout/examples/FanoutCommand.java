package dev.fanout.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code fanout} command line, run by the {@code ./fanout} script at the root of the repository. Its subcommands:
 * {@code demo} and {@code worker}; {@code ./fanout bench} is handled by the script itself.
 */
@Command(
        name = "fanout",
        description = "Fanout: Python's concurrent.futures for Java.",
        mixinStandardHelpOptions = true,
        versionProvider = FanoutCommand.Version.class,
        subcommands = {DemoCommand.class, WorkerCommand.class, CommandLine.HelpCommand.class})
public final class FanoutCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: try 'fanout demo'");
    }

    /** A {@link CommandLine} for {@code fanout} and its subcommands. */
    static CommandLine commandLine() {
        return new CommandLine(new FanoutCommand());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The version of the fanout-core on the class path, as its jar says, if it says. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = dev.fanout.ThreadPool.class.getPackage().getImplementationVersion();
            return new String[] {"fanout " + (version == null ? "(development build)" : version)};
        }
    }
}
