package dev.fanout.hazelcast;

import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import java.util.Collection;
import java.util.List;

/**
 * The configuration of the members Fanout starts itself ({@link HazelcastExecutor#local()} and the {@link Worker}),
 * secure by default: bound to one address (loopback unless told otherwise), multicast and cloud auto-detection off,
 * TCP/IP join to the named members only, and Java deserialization limited to an allow-list.
 */
final class MemberConfigs {
    /** Packages whose classes travel between members: the core's map tasks and this module's envelopes. */
    static final List<String> FANOUT_PACKAGES = List.of("dev.fanout", "dev.fanout.hazelcast");

    static final int DEFAULT_PORT = 5701;

    private MemberConfigs() {}

    /** The number of threads per member that run tasks, as the thread pool's default. */
    static int defaultThreads() {
        return Math.min(32, Runtime.getRuntime().availableProcessors() + 4);
    }

    /**
     * A member configuration.
     *
     * @param clusterName members join only a cluster of the same name
     * @param bind the address to bind to and announce
     * @param port the first port to try; the next ones are tried when it is taken
     * @param join the members to join, as {@code host:port} or {@code host}; empty to start a cluster alone
     * @param allowPackages packages (and their subpackages) whose classes may be deserialized, beyond Fanout's
     * @param threads the threads of each Fanout executor on this member
     * @param classLoader loads the user's task classes; null for the default
     */
    static Config member(
            String clusterName,
            String bind,
            int port,
            Collection<String> join,
            Collection<String> allowPackages,
            int threads,
            ClassLoader classLoader) {
        Config config = new Config();
        config.setClusterName(clusterName);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.local.localAddress", bind);
        config.setProperty("hazelcast.socket.bind.any", "false");
        // Notice a member that died within seconds rather than the default minute: tasks it ran are re-run sooner.
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
        // Ctrl-C and SIGTERM leave gracefully: partitions (and the task states they hold) migrate first.
        config.setProperty("hazelcast.shutdownhook.policy", "GRACEFUL");
        if (classLoader != null) {
            config.setClassLoader(classLoader);
        }

        NetworkConfig network = config.getNetworkConfig();
        network.setPort(port).setPortAutoIncrement(true);
        network.getInterfaces().setEnabled(true).addInterface(bind);
        JoinConfig joinConfig = network.getJoin();
        joinConfig.getMulticastConfig().setEnabled(false);
        joinConfig.getAutoDetectionConfig().setEnabled(false);
        joinConfig.getTcpIpConfig().setEnabled(true).setMembers(List.copyOf(join));
        if (join.isEmpty()) {
            joinConfig.getTcpIpConfig().addMember(bind + ":" + port);
        }

        config.getSerializationConfig().setJavaSerializationFilterConfig(filter(allowPackages));
        config.addExecutorConfig(
                new ExecutorConfig(Names.executor("*")).setPoolSize(threads).setStatisticsEnabled(false));
        config.addMapConfig(new MapConfig(Names.stateMap("*"))
                .setBackupCount(1) // synchronous: an at-most-once start survives the loss of its member
                .setStatisticsEnabled(false));
        return config;
    }

    /**
     * The deserialization allow-list: Hazelcast's defaults (its own classes, {@code java*}, arrays), Fanout's packages,
     * and each named package with its subpackages.
     */
    static JavaSerializationFilterConfig filter(Collection<String> allowPackages) {
        ClassFilter allowed = new ClassFilter();
        FANOUT_PACKAGES.forEach(allowed::addPackages);
        for (String p : allowPackages) {
            trust(allowed, p);
        }
        return new JavaSerializationFilterConfig().setWhitelist(allowed);
    }

    /** Adds a package and its subpackages to an allow-list. */
    static void trust(ClassFilter allowed, String packageName) {
        if (packageName.isEmpty()) {
            return; // the unnamed package: too broad to trust by prefix
        }
        allowed.addPackages(packageName);
        allowed.addPrefixes(packageName + ".");
    }
}
