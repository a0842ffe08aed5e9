package io.qilin.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.util.List;
import org.junit.jupiter.api.Test;

class AppLoaderTest {
    private static final List<Class<?>> PORTABLE = List.of(HttpHandler.class);
    private final ClassLoader loader = getClass().getClassLoader();

    public static class Good implements HttpHandler {
        public static final HttpHandler FIELD = x -> { };
        public static int notAHandler = 3;

        public static HttpHandler factory() {
            return new Good();
        }

        public static void method(HttpExchange x) {
        }

        public static HttpHandler perName(StringBuilder name) {
            return x -> name.append("served");
        }

        public static Integer notAHandlerPerName(StringBuilder name) {
            return 3;
        }

        @Override
        public void handle(HttpExchange x) {
        }
    }

    public static class Throws implements HttpHandler {
        public Throws() {
            throw new IllegalStateException("no database");
        }

        @Override
        public void handle(HttpExchange x) {
        }
    }

    public static class NoDefaultConstructor implements HttpHandler {
        public NoDefaultConstructor(int x) {
        }

        @Override
        public void handle(HttpExchange x) {
        }
    }

    @Test
    void loadsAClassAFieldAFactoryAndAMethod() throws Exception {
        String g = Good.class.getName();
        assertThat(AppLoader.load(g, loader, PORTABLE)).isInstanceOf(Good.class);
        assertThat(AppLoader.load(g + "::FIELD", loader, PORTABLE)).isSameAs(Good.FIELD);
        assertThat(AppLoader.load(g + "::factory", loader, PORTABLE)).isInstanceOf(Good.class);
        assertThat(AppLoader.load(g + "::method", loader, PORTABLE)).isInstanceOf(HttpHandler.class);
    }

    @Test
    void explainsEachWayOfGettingItWrong() {
        assertThatThrownBy(() -> AppLoader.load("com.example.Nope", loader, PORTABLE))
                .isInstanceOf(AppLoadException.class).hasMessageContaining("was not found on the worker classpath");
        assertThatThrownBy(() -> AppLoader.load(Good.class.getName() + "::nope", loader, PORTABLE))
                .hasMessageContaining("has no public static field or method named 'nope'");
        assertThatThrownBy(() -> AppLoader.load(Good.class.getName() + "::notAHandler", loader, PORTABLE))
                .hasMessageContaining("is a java.lang.Integer, but this worker kind serves com.sun.net.httpserver.HttpHandler");
        assertThatThrownBy(() -> AppLoader.load(Throws.class.getName(), loader, PORTABLE))
                .hasMessageContaining("threw java.lang.IllegalStateException: no database");
        assertThatThrownBy(() -> AppLoader.load(NoDefaultConstructor.class.getName(), loader, PORTABLE))
                .hasMessageContaining("has no public no-argument constructor");
        assertThatThrownBy(() -> AppLoader.load("", loader, PORTABLE)).hasMessageContaining("no application given");
    }

    @Test
    void aMethodTakingAnArgumentTheKindProvidesIsAFactoryCalledPerInstance() throws Exception {
        List<Class<?>> arguments = List.of(StringBuilder.class);
        Object loaded = AppLoader.load(Good.class.getName() + "::perName", loader, PORTABLE, arguments);
        assertThat(loaded).isInstanceOf(AppFactory.class);
        AppFactory factory = (AppFactory) loaded;
        assertThat(factory.argumentType()).isEqualTo(StringBuilder.class);
        StringBuilder one = new StringBuilder();
        ((HttpHandler) factory.create(one)).handle(null);
        assertThat(one).hasToString("served");
        assertThat(factory.create(new StringBuilder())).isNotSameAs(factory.create(new StringBuilder()));

        assertThatThrownBy(() -> AppLoader.load(Good.class.getName() + "::notAHandlerPerName", loader, PORTABLE, arguments))
                .hasMessageContaining("returns a java.lang.Integer, but this worker kind serves");
        assertThatThrownBy(() -> AppLoader.load(Good.class.getName() + "::perName", loader, PORTABLE))
                .as("a kind that offers no such argument").hasMessageContaining("has no public static field or method");
    }
}
