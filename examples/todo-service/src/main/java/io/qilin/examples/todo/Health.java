package io.qilin.examples.todo;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code GET /healthz}: 200 when the database answers, 503 when it does not. */
@Path("/healthz")
@Produces(MediaType.TEXT_PLAIN)
@Singleton
public final class Health {
    private final Database database;

    @Inject
    public Health(Database database) {
        this.database = database;
    }

    @GET
    public Response check() {
        return database.healthy() ? Response.ok("ok\n").build()
                : Response.status(Response.Status.SERVICE_UNAVAILABLE).entity("database unreachable\n").build();
    }
}
