package dev.fanout.hazelcast;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** In-JVM members for tests: a cluster name of their own, loopback ports no other test uses, quick to start. */
public final class TestClusters {
    private static final AtomicInteger NEXT_PORT = new AtomicInteger(freeBase());

    private TestClusters() {}

    /** A base port with room above it: tests in parallel JVMs each pick a different one. */
    private static int freeBase() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 20000 + (int) (Math.random() * 400) * 100;
            try (ServerSocket s = new ServerSocket(base)) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        return 20000;
    }

    /** Reserves {@code n} consecutive ports. */
    public static int ports(int n) {
        return NEXT_PORT.getAndAdd(n + 2);
    }

    public static String clusterName(String test) {
        return "test-" + test + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A member configuration as the worker's, with the quick-start settings tests need. */
    public static Config config(String cluster, int port, List<String> join, int threads, List<String> allow) {
        Config config = MemberConfigs.member(cluster, "127.0.0.1", port, join, allow, threads, null);
        config.getNetworkConfig().setPortAutoIncrement(false);
        quickStart(config);
        return config;
    }

    public static void quickStart(Config config) {
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.max.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.setProperty("hazelcast.graceful.shutdown.max.wait", "10");
    }

    /**
     * Starts {@code n} members of a new cluster: the first alone (a member that finds nobody to join becomes the
     * master at once), then the others in parallel, joining it.
     */
    public static List<HazelcastInstance> members(String test, int n) {
        return members(test, n, MemberConfigs.defaultThreads(), List.of());
    }

    /** As {@link #members(String, int)}, with {@code threads} per executor and more packages allowed. */
    public static List<HazelcastInstance> members(String test, int n, int threads, List<String> allow) {
        String cluster = clusterName(test);
        int base = ports(n);
        List<HazelcastInstance> members = new ArrayList<>();
        members.add(Hazelcast.newHazelcastInstance(config(cluster, base, List.of(), threads, allow)));
        List<CompletableFuture<HazelcastInstance>> starting = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            Config config = config(cluster, base + i, List.of("127.0.0.1:" + base), threads, allow);
            starting.add(CompletableFuture.supplyAsync(() -> Hazelcast.newHazelcastInstance(config)));
        }
        for (CompletableFuture<HazelcastInstance> f : starting) {
            members.add(f.join());
        }
        return members;
    }

    /** A client of the cluster of {@code member}. */
    public static HazelcastInstance client(HazelcastInstance member) {
        ClientConfig config = new ClientConfig();
        config.setClusterName(member.getConfig().getClusterName());
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getNetworkConfig()
                .addAddress("127.0.0.1:"
                        + member.getCluster().getLocalMember().getAddress().getPort());
        config.getSerializationConfig().setJavaSerializationFilterConfig(MemberConfigs.filter(List.of()));
        return HazelcastClient.newHazelcastClient(config);
    }

    public static void shutdown(List<HazelcastInstance> instances) {
        for (HazelcastInstance i : instances) {
            i.getLifecycleService().terminate();
        }
    }
}
