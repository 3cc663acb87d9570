package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The JPMS descriptor: module {@code dev.fanout}, exporting only its one package, needing only {@code java.base}. */
class ModuleDescriptorTest {

    @Test
    void moduleExportsOnlyDevFanoutAndRequiresOnlyJavaBase() throws URISyntaxException {
        Path classes = Path.of(Promise.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        ModuleDescriptor descriptor = ModuleFinder.of(classes)
                .find("dev.fanout")
                .map(ModuleReference::descriptor)
                .orElseThrow(() -> new AssertionError("no module dev.fanout in " + classes));

        assertThat(descriptor.exports())
                .extracting(ModuleDescriptor.Exports::source)
                .containsExactly("dev.fanout");
        assertThat(descriptor.exports()).allMatch(e -> !e.isQualified());
        assertThat(descriptor.requires())
                .extracting(ModuleDescriptor.Requires::name)
                .containsExactly("java.base");
    }
}
