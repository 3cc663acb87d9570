/**
 * Fanout on a Hazelcast cluster: the cluster executor and the worker process.
 *
 * <p>Hazelcast is an automatic module ({@code com.hazelcast.core}); it reads only the modules that are resolved, and
 * needs more of the JDK than a named application resolves by default ({@code sun.misc.Unsafe}, {@code javax.transaction.xa},
 * the management beans): {@code java.se} and {@code jdk.unsupported} are required here for it, so that an application
 * on the module path needs no {@code --add-modules}. Hazelcast makes this module's serializable classes by reflection,
 * and picocli reads the worker's options by reflection: the package is open to both.
 */
module dev.fanout.hazelcast {
    requires transitive dev.fanout;
    requires transitive com.hazelcast.core;
    requires info.picocli;
    requires java.se;
    requires jdk.unsupported;

    exports dev.fanout.hazelcast;

    opens dev.fanout.hazelcast to
            com.hazelcast.core,
            info.picocli;
}
