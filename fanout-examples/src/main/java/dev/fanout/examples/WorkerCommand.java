package dev.fanout.examples;

import dev.fanout.hazelcast.Worker;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code fanout worker}: starts a Hazelcast member that runs Fanout tasks, until Ctrl-C. Its options are those of
 * {@link Worker} ({@code fanout worker --help} lists them).
 */
@Command(
        name = "worker",
        description =
                "Starts a cluster member that runs Fanout tasks (--cluster NAME --join HOST:PORT ...; see --help).")
final class WorkerCommand implements Runnable {
    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public void run() {
        Worker.main(args.toArray(new String[0]));
    }
}
