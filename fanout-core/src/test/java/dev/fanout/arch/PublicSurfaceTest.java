package dev.fanout.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.fanout.Executor;
import dev.fanout.Future;
import dev.fanout.Task;
import dev.fanout.TaskBiFunction;
import dev.fanout.TaskFunction;
import dev.fanout.ThreadPool;
import dev.fanout.VoidTask;
import java.io.Serializable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Pins the public surface of {@code fanout-core} and its architecture, on the production classes only: which types
 * are public (API.md's, and nothing by accident), that the rest is package-private and final, that the core needs
 * nothing outside {@code java..}, that its packages have no cycles, that every exception is unchecked, and that every
 * lambda a user hands to an executor is {@link Serializable}.
 *
 * <p>Changing the public surface on purpose means changing the sets below in the same commit, so that the change is
 * reviewed as an API change.
 */
class PublicSurfaceTest {
    private static final String PACKAGE = "dev.fanout";

    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(new ImportOption.DoNotIncludeTests())
            .importPackages(PACKAGE);

    /** API.md's public types, and the {@link dev.fanout.AsCompleted} that {@code Futures.asCompleted} returns. */
    private static final Set<String> PUBLIC_TOP_LEVEL = Set.of(
            "Executor",
            "Future",
            "Promise",
            "Futures",
            "DoneAndNotDone",
            "ReturnWhen",
            "ThreadPool",
            "MapOptions",
            "MapResults",
            "Task",
            "VoidTask",
            "TaskFunction",
            "TaskBiFunction",
            "FutureTimeoutException",
            "InvalidStateException",
            "BrokenExecutorException",
            "BrokenThreadPoolException",
            "AsCompleted");

    /** The builder of API.md, and the options of the bounded queue and of map's progress. */
    private static final Set<String> PUBLIC_NESTED =
            Set.of("ThreadPool$Builder", "ThreadPool$WhenFull", "MapOptions$ProgressListener");

    /**
     * Public functional interfaces whose lambdas never travel with a task: a progress listener runs on the caller's
     * side, on the thread that completes each task, so it need not be {@link Serializable}.
     */
    private static final Set<String> LOCAL_FUNCTIONAL_INTERFACES = Set.of("MapOptions$ProgressListener");

    @Test
    void theImportHoldsTheProductionClassesOnly() {
        assertThat(PRODUCTION.contain(ThreadPool.class)).isTrue();
        assertThat(PRODUCTION.stream().map(JavaClass::getName))
                .as("test classes in the import")
                .noneMatch(name -> name.endsWith("Test") || name.startsWith(PACKAGE + ".arch."));
    }

    @Test
    void thePublicTopLevelTypesAreExactlyTheApi() {
        assertThat(names(PRODUCTION.stream()
                        .filter(JavaClass::isTopLevelClass)
                        .filter(c -> c.getModifiers().contains(JavaModifier.PUBLIC))))
                .containsExactlyInAnyOrderElementsOf(PUBLIC_TOP_LEVEL);
    }

    @Test
    void theOnlyPublicNestedTypesAreTheBuilderAndItsOptions() {
        assertThat(names(PRODUCTION.stream()
                        .filter(c -> !c.isTopLevelClass())
                        .filter(c -> c.getModifiers().contains(JavaModifier.PUBLIC))))
                .containsExactlyInAnyOrderElementsOf(PUBLIC_NESTED);
        noClasses()
                .should()
                .haveModifier(JavaModifier.PROTECTED)
                .because("a nested type is either part of the API or package-private")
                .check(PRODUCTION);
    }

    @Test
    void implementationClassesArePackagePrivateAndFinal() {
        classes()
                .that()
                .areNotPublic()
                .and()
                .areNotInterfaces()
                .and()
                .areNotEnums()
                .and()
                .areNotAnonymousClasses()
                .and()
                .areNotLocalClasses()
                .and()
                .doNotHaveFullyQualifiedName("dev.fanout.WorkQueue") // the replay of issue 19 steps inside its calls
                .should()
                .haveModifier(JavaModifier.FINAL)
                .because("implementation classes are not meant to be extended (STYLE.md)")
                .check(PRODUCTION);
    }

    @Test
    void theCoreDependsOnNothingOutsideTheJdksJavaPackages() {
        classes()
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("java..", PACKAGE + "..")
                .because("fanout-core has no runtime dependency outside the JDK")
                .check(PRODUCTION);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching(PACKAGE + ".(**)")
                .should()
                .beFreeOfCycles()
                .allowEmptyShould(true)
                .check(PRODUCTION);
        slices().matching("(**)").should().beFreeOfCycles().check(PRODUCTION);
    }

    @Test
    void everyExceptionIsUnchecked() {
        classes()
                .that()
                .areAssignableTo(Throwable.class)
                .should()
                .beAssignableTo(RuntimeException.class)
                .check(PRODUCTION);
    }

    @Test
    void nothingAUserCallsDeclaresACheckedException() {
        methods()
                .that()
                .arePublic()
                .and()
                .areDeclaredInClassesThat()
                .arePublic()
                .and()
                .areDeclaredInClassesThat()
                .areNotAssignableTo(Task.class)
                .and()
                .areDeclaredInClassesThat()
                .areNotAssignableTo(VoidTask.class)
                .and()
                .areDeclaredInClassesThat()
                .areNotAssignableTo(TaskFunction.class)
                .and()
                .areDeclaredInClassesThat()
                .areNotAssignableTo(TaskBiFunction.class)
                .and()
                .doNotHaveName("get") // java.util.concurrent.Future's own contract
                .should(declareOnlyUncheckedExceptions())
                .because("tasks may throw anything, but no method a user calls to get results declares a checked"
                        + " exception (API.md)")
                .check(PRODUCTION);
    }

    @Test
    void everyLambdaAUserHandsToAnExecutorIsSerializable() {
        classes()
                .that()
                .arePublic()
                .and()
                .areAnnotatedWith(FunctionalInterface.class)
                .and(notIn(LOCAL_FUNCTIONAL_INTERFACES))
                .should()
                .beAssignableTo(Serializable.class)
                .because("the same lambdas run on the cluster backend")
                .check(PRODUCTION);

        for (Class<?> task : List.of(Task.class, VoidTask.class, TaskFunction.class, TaskBiFunction.class)) {
            assertThat(task.isAnnotationPresent(FunctionalInterface.class))
                    .as("%s is a @FunctionalInterface", task.getSimpleName())
                    .isTrue();
            assertThat(Serializable.class).as(task.getSimpleName()).isAssignableFrom(task);
        }
        // Every parameter of ours that submit, map and initializer take is one of them.
        for (Method m : methodsTakingTasks()) {
            for (Class<?> p : m.getParameterTypes()) {
                if (p.isInterface() && p.getPackageName().equals(PACKAGE)) {
                    assertThat(Serializable.class)
                            .as("parameter %s of %s", p.getSimpleName(), m)
                            .isAssignableFrom(p);
                }
            }
        }
    }

    @Test
    void futureDeclaresNoMethodThatClashesWithNewerJdks() {
        Set<String> declared = Arrays.stream(Future.class.getDeclaredMethods())
                .map(Method::getName)
                .collect(Collectors.toSet());
        assertThat(declared).doesNotContain("state", "resultNow", "exceptionNow");

        noMethods()
                .that()
                .haveNameMatching("state|resultNow|exceptionNow")
                .should()
                .beDeclaredInClassesThat()
                .areAssignableTo(java.util.concurrent.Future.class)
                .because("JDK 19 added them to java.util.concurrent.Future with their own signatures")
                .allowEmptyShould(true)
                .check(PRODUCTION);
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /** Names relative to the package, nested ones as {@code Outer$Inner}. */
    private static List<String> names(java.util.stream.Stream<JavaClass> classes) {
        return classes.map(c -> c.getName().substring(PACKAGE.length() + 1))
                .sorted()
                .toList();
    }

    private static com.tngtech.archunit.base.DescribedPredicate<JavaClass> notIn(Set<String> relativeNames) {
        return com.tngtech.archunit.base.DescribedPredicate.describe(
                "not one of " + relativeNames,
                c -> !relativeNames.contains(c.getName().substring(PACKAGE.length() + 1)));
    }

    private static ArchCondition<JavaCodeUnit> declareOnlyUncheckedExceptions() {
        return new ArchCondition<>("declare only unchecked exceptions") {
            @Override
            public void check(JavaCodeUnit method, ConditionEvents events) {
                for (JavaClass thrown : method.getThrowsClause().getTypes()) {
                    if (!thrown.isAssignableTo(RuntimeException.class) && !thrown.isAssignableTo(Error.class)) {
                        events.add(SimpleConditionEvent.violated(
                                method, method.getFullName() + " declares the checked " + thrown.getName()));
                    }
                }
            }
        };
    }

    private static List<Method> methodsTakingTasks() {
        List<Method> methods = new java.util.ArrayList<>();
        for (Method m : Executor.class.getMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && m.getName().matches("submit|map|mapUnordered")) {
                methods.add(m);
            }
        }
        for (Method m : ThreadPool.Builder.class.getMethods()) {
            if (m.getName().equals("initializer")) {
                methods.add(m);
            }
        }
        assertThat(methods).as("submit, map and initializer methods").hasSizeGreaterThan(4);
        return methods;
    }
}
