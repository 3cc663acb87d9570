package dev.fanout.arch;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.lang.reflect.Member;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every public and protected signature of {@code dev.fanout}, compared with the snapshot committed in
 * {@code src/test/resources/api/dev.fanout.txt}: a change to the public surface fails here until the snapshot changes in
 * the same commit, so that each API change shows in review as a diff of that file. A signature that disappears is
 * named as removed, which API.md forbids for anything it names; run with {@code -Dfanout.api.write=true} to write the
 * snapshot anew after an intended addition.
 */
class ApiSnapshotTest {
    private static final Path SNAPSHOT = Path.of("src", "test", "resources", "api", "dev.fanout.txt");

    @Test
    void thePublicSurfaceIsTheSnapshot() throws IOException {
        List<String> now = signatures();
        if (Boolean.getBoolean("fanout.api.write")) {
            Files.createDirectories(SNAPSHOT.getParent());
            Files.write(SNAPSHOT, now, StandardCharsets.UTF_8);
        }
        List<String> snapshot = Files.readAllLines(SNAPSHOT, StandardCharsets.UTF_8);
        Set<String> removed = new TreeSet<>(snapshot);
        now.forEach(removed::remove);
        Set<String> added = new TreeSet<>(now);
        snapshot.forEach(added::remove);
        assertThat(removed)
                .as("public signatures removed or changed (API.md: never drop what it names)")
                .isEmpty();
        assertThat(added)
                .as("public signatures added: add them to %s (-Dfanout.api.write=true) in the same commit", SNAPSHOT)
                .isEmpty();
    }

    /** One line per public type and per public or protected member of it, sorted. */
    private static List<String> signatures() {
        Set<String> lines = new TreeSet<>();
        for (JavaClass c : new ClassFileImporter()
                .withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("dev.fanout")) {
            Class<?> type = c.reflect();
            if (!type.getPackageName().equals("dev.fanout") || !isVisible(type)) {
                continue;
            }
            String name = type.getName();
            lines.add(name + " " + type.toGenericString().replace(name, "").strip() + supertypes(type));
            Stream.of(type.getDeclaredConstructors(), type.getDeclaredMethods(), type.getDeclaredFields())
                    .flatMap(Stream::of)
                    .map(m -> (Member) m)
                    .filter(m -> !m.isSynthetic() && isVisible(m.getModifiers()))
                    .forEach(m -> lines.add(name + " :: " + describe(m)));
        }
        return new ArrayList<>(lines);
    }

    private static boolean isVisible(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
            if (!isVisible(t.getModifiers())) {
                return false;
            }
        }
        return !type.isAnonymousClass() && !type.isLocalClass();
    }

    private static boolean isVisible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static String supertypes(Class<?> type) {
        StringBuilder b = new StringBuilder();
        if (type.getGenericSuperclass() != null
                && type.getSuperclass() != Object.class
                && !type.isEnum()
                && !type.isRecord()) {
            b.append(" extends ").append(type.getGenericSuperclass().getTypeName());
        }
        for (var i : type.getGenericInterfaces()) {
            b.append(" implements ").append(i.getTypeName());
        }
        return b.toString();
    }

    private static String describe(Member m) {
        if (m instanceof java.lang.reflect.Method method) {
            return method.toGenericString();
        }
        if (m instanceof java.lang.reflect.Constructor<?> constructor) {
            return constructor.toGenericString();
        }
        return ((java.lang.reflect.Field) m).toGenericString();
    }
}
