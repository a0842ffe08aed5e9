package bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;

/**
 * The plain-JVM baseline of the vertx kind: one Vert.x server with LOOPS event loops (one verticle
 * instance each, native transport when available) answering hello world from the event loop.
 * With {@code reuseport}, the socket is bound with SO_REUSEPORT, so that several such JVMs share the
 * port: two processes without Qilin, to tell the cost of two JVMs from the cost of Qilin's worker.
 * Usage: {@code VertxHello PORT LOOPS [reuseport]}
 */
public final class VertxHello {
    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int loops = Integer.parseInt(args[1]);
        boolean reusePort = args.length > 2 && args[2].equals("reuseport");
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
        VertxNativeHello hello = new VertxNativeHello();
        vertx.deployVerticle(() -> new VerticleBase() {
            @Override
            public Future<?> start() {
                return vertx.createHttpServer(new HttpServerOptions().setReusePort(reusePort)).requestHandler(hello).listen(port, "127.0.0.1");
            }
        }, new DeploymentOptions().setInstances(loops)).onComplete(ar -> {
            if (ar.failed()) {
                ar.cause().printStackTrace();
                System.exit(1);
            }
            System.err.println("VertxHello listening on 127.0.0.1:" + port + " with " + loops + " event loops, native "
                    + vertx.isNativeTransportEnabled());
        });
    }
}
