/** The consumer as a named module: Fanout's core and its Hazelcast backend, by their module names. */
// tag::module-descriptor[]
module consumer {
    requires dev.fanout;
    requires dev.fanout.hazelcast;
    requires java.logging; // to quiet Hazelcast's start-up lines
}
// end::module-descriptor[]
