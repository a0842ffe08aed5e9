package io.qilin.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds an application jar from source at test time, so a test can deploy a new version of the code
 * the way a user does: compile, jar, and move the jar into place (rename, never overwrite in place:
 * running JVMs have the old file open).
 */
final class AppJar {
    private AppJar() {
    }

    /** A portable handler {@code app.Greeting} answering {@code body}; {@code constructorBody} runs first. */
    static String greeting(String body, String constructorBody) {
        return "package app;\n"
                + "public class Greeting implements com.sun.net.httpserver.HttpHandler {\n"
                + "  public Greeting() { " + constructorBody + " }\n"
                + "  public void handle(com.sun.net.httpserver.HttpExchange x) throws java.io.IOException {\n"
                + "    byte[] b = \"" + body + "\".getBytes();\n"
                + "    x.sendResponseHeaders(200, b.length);\n"
                + "    try (java.io.OutputStream o = x.getResponseBody()) { o.write(b); }\n"
                + "  }\n"
                + "}\n";
    }

    /** Compiles {@code app.Greeting} from {@code source} into a jar and moves it to {@code target} atomically. */
    static void deploy(Path target, String source) throws IOException {
        Path work = Files.createTempDirectory(target.getParent(), "build");
        Path src = work.resolve("app/Greeting.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "--release", "17", "-d", work.resolve("classes").toString(), src.toString());
        if (rc != 0) {
            throw new IllegalStateException("javac failed for " + src);
        }
        Path jar = work.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.walk(work.resolve("classes"))) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new JarEntry(work.resolve("classes").relativize(f).toString()));
                Files.copy(f, (OutputStream) out);
                out.closeEntry();
            }
        }
        Files.move(jar, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A jar without {@code app.Greeting}: a deploy that forgot the application. */
    static void deployEmpty(Path target) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "empty", ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(tmp))) {
            out.putNextEntry(new JarEntry("README"));
            out.write("nothing here".getBytes());
            out.closeEntry();
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static List<String> args(Path jar, int port, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("-b", "127.0.0.1:" + port, "--classpath", jar.toString()));
        a.addAll(List.of(extra));
        a.add("app.Greeting");
        return a;
    }
}
