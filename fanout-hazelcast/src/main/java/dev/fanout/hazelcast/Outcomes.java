package dev.fanout.hazelcast;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/** Explains what cannot be serialized: a task at submit, or a result on the member. */
final class Outcomes {
    private Outcomes() {}

    /**
     * The exception that replaces an outcome that could not be serialized on the member: an
     * {@link IllegalStateException} naming the type, with the original stack trace when the outcome was an exception.
     */
    static Throwable notSerializable(Object outcome, Exception cause) {
        if (outcome instanceof Failure failure) {
            Throwable t = failure.exception();
            IllegalStateException e =
                    new IllegalStateException("the task threw " + t.getClass().getName() + " (" + t.getMessage()
                            + "), which cannot be sent back to the caller: " + cause.getMessage());
            e.setStackTrace(t.getStackTrace());
            return e;
        }
        return new IllegalStateException("the task returned a "
                + outcome.getClass().getName() + ", which cannot be sent back to the caller: " + cause.getMessage());
    }

    /**
     * Describes why {@code task} cannot be serialized: which captured object, at which position, of which lambda (or
     * which field of which class), is not serializable. Follows captured lambdas down, as a task built by
     * {@code map} captures the user's function.
     */
    static String explainNotSerializable(Object task) {
        List<String> path = new ArrayList<>();
        String culprit = find(task, path, 0);
        StringBuilder sb = new StringBuilder("the task cannot be sent to the cluster: ");
        if (culprit == null) {
            sb.append(task.getClass().getName()).append(" is not serializable");
        } else {
            sb.append(culprit);
        }
        if (!path.isEmpty()) {
            sb.append(" (path: ").append(String.join(" -> ", path)).append(')');
        }
        sb.append(". A task travels with everything it captures: make that object Serializable, mark the field"
                + " transient, or create the object inside the task.");
        return sb.toString();
    }

    /** The first thing under {@code o} that fails to serialize, described; null if nothing more precise is known. */
    private static String find(Object o, List<String> path, int depth) {
        if (o == null || depth > 8 || serializes(o)) {
            return null;
        }
        if (!(o instanceof Serializable)) {
            return "captured object of type " + o.getClass().getName() + " is not serializable";
        }
        SerializedLambda lambda = serializedLambda(o);
        if (lambda != null) {
            String name = lambdaName(lambda);
            for (int i = 0; i < lambda.getCapturedArgCount(); i++) {
                Object arg = lambda.getCapturedArg(i);
                if (arg != null && !serializes(arg)) {
                    path.add(name + " captured argument " + i + " ("
                            + arg.getClass().getName() + ")");
                    String deeper = find(arg, path, depth + 1);
                    return deeper != null
                            ? deeper
                            : "captured argument " + i + " of " + name + ", of type "
                                    + arg.getClass().getName() + ", is not serializable";
                }
            }
            return null;
        }
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (var field : c.getDeclaredFields()) {
                if (java.lang.reflect.Modifier.isStatic(field.getModifiers())
                        || java.lang.reflect.Modifier.isTransient(field.getModifiers())) {
                    continue;
                }
                Object value;
                try {
                    field.setAccessible(true);
                    value = field.get(o);
                } catch (RuntimeException | IllegalAccessException inaccessible) {
                    continue;
                }
                if (value != null && !serializes(value)) {
                    path.add(c.getName() + "." + field.getName() + " ("
                            + value.getClass().getName() + ")");
                    String deeper = find(value, path, depth + 1);
                    return deeper != null
                            ? deeper
                            : "field " + c.getName() + "." + field.getName() + ", of type "
                                    + value.getClass().getName() + ", is not serializable"
                                    + (field.getName().startsWith("this$")
                                            ? " (an inner or anonymous class captures its enclosing instance)"
                                            : "");
                }
            }
        }
        return null;
    }

    private static String lambdaName(SerializedLambda lambda) {
        return "lambda " + lambda.getCapturingClass().replace('/', '.') + "." + lambda.getImplMethodName();
    }

    /** The lambda's serialized form, through its private writeReplace; null for anything else. */
    private static SerializedLambda serializedLambda(Object o) {
        if (!o.getClass().isSynthetic()) {
            return null;
        }
        try {
            Method writeReplace = o.getClass().getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            return writeReplace.invoke(o) instanceof SerializedLambda s ? s : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static boolean serializes(Object o) {
        try (ObjectOutputStream out = new ObjectOutputStream(OutputStream.nullOutputStream())) {
            out.writeObject(o);
            return true;
        } catch (NotSerializableException e) {
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
