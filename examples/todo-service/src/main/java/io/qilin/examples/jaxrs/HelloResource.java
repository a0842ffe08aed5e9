package io.qilin.examples.jaxrs;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /hello} and {@code GET /hello/NAME?greeting=Hi}, in plain text. */
@Path("/hello")
@Produces(MediaType.TEXT_PLAIN)
public class HelloResource {
    @GET
    public String hello() {
        return "Hello, World!\n";
    }

    @GET
    @Path("{name}")
    public String hello(@PathParam("name") String name, @QueryParam("greeting") String greeting) {
        return (greeting == null ? "Hello" : greeting) + ", " + name + "!\n";
    }
}
