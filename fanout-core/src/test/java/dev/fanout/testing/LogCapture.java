package dev.fanout.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Records what Fanout logs on {@code dev.fanout} (System.Logger's default backend is JUL), and keeps it off the
 * console: for tests whose faults are logged on purpose. Either for each test, with
 * {@code @RegisterExtension final LogCapture log = new LogCapture();}, or for a block, with
 * {@code try (LogCapture log = LogCapture.started()) {...}}.
 */
public final class LogCapture implements AutoCloseable, BeforeEachCallback, AfterEachCallback {
    private final Logger logger = Logger.getLogger("dev.fanout");
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private boolean useParentHandlers;

    /** A capture that starts with each test once registered as an extension. */
    public LogCapture() {
        handler.setLevel(Level.ALL);
    }

    /** A capture running from now until {@link #close()}. */
    public static LogCapture started() {
        LogCapture capture = new LogCapture();
        capture.start();
        return capture;
    }

    private void start() {
        records.clear();
        logger.addHandler(handler);
        useParentHandlers = logger.getUseParentHandlers();
        logger.setUseParentHandlers(false);
    }

    /** What was logged so far, in order: a snapshot. */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setUseParentHandlers(useParentHandlers);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }
}
