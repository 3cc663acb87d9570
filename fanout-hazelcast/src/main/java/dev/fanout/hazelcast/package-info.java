/**
 * The Fanout {@link dev.fanout.Executor} on a Hazelcast cluster: {@link dev.fanout.hazelcast.HazelcastExecutor} (start
 * with {@code HazelcastExecutor.local()}), and {@link dev.fanout.hazelcast.Worker}, the process that joins a cluster
 * and runs its tasks. Futures, callbacks, {@code wait}, {@code asCompleted} and {@code map} behave as on the thread
 * pool; what is delivered when a member dies is set by {@link dev.fanout.hazelcast.HazelcastExecutor.Delivery}. The guide to running on
 * a cluster is {@code docs/cluster.md} in the project's repository.
 */
package dev.fanout.hazelcast;
