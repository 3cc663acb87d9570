package dev.fanout.examples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Puts a {@link Gate} in the examples' {@code sleep} for each test, and lets every task go at the end. */
abstract class GatedTest {
    Gate gate;

    @BeforeEach
    void closeGate() {
        gate = new Gate();
        DemoTime.sleeper = gate;
    }

    @AfterEach
    void openGate() {
        gate.open();
        // the tasks an example left running (wait-first does) are done sleeping before the next test
        gate.awaitWoken(gate.arrived());
        DemoTime.sleeper = DemoTime.REAL;
    }
}
