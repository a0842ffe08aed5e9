package io.qilin.examples.todo;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.StringJoiner;

/**
 * The todos, as JSON. {@code PUT /todos/{id}} with the title as the body creates one (201), or
 * answers 200 when that id exists already, so a client may retry it safely; {@code GET /todos},
 * {@code GET /todos/{id}}, {@code DELETE /todos/{id}}.
 */
@Path("/todos")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class TodoResource {
    private static final int LIST_LIMIT = 100;
    private final Database database;

    @Inject
    public TodoResource(Database database) {
        this.database = database;
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.WILDCARD)
    public Response create(@PathParam("id") String id, String title) throws SQLException {
        if (id.length() > 100) {
            return Response.status(Response.Status.BAD_REQUEST).entity("{\"error\":\"id longer than 100\"}").build();
        }
        try (Connection c = database.dataSource().getConnection();
                PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO todo (id, title) VALUES (?, ?) ON CONFLICT (id) DO NOTHING")) {
            insert.setString(1, id);
            insert.setString(2, title == null ? "" : title);
            boolean created = insert.executeUpdate() == 1;
            return Response.status(created ? Response.Status.CREATED : Response.Status.OK)
                    .entity(json(id, title, false)).build();
        }
    }

    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id) throws SQLException {
        try (Connection c = database.dataSource().getConnection();
                PreparedStatement select = c.prepareStatement("SELECT title, done FROM todo WHERE id = ?")) {
            select.setString(1, id);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Response.status(Response.Status.NOT_FOUND).entity("{\"error\":\"no such todo\"}").build();
                }
                return Response.ok(json(id, row.getString(1), row.getBoolean(2))).build();
            }
        }
    }

    @GET
    public String list() throws SQLException {
        StringJoiner out = new StringJoiner(",", "[", "]\n");
        try (Connection c = database.dataSource().getConnection();
                PreparedStatement select = c.prepareStatement(
                        "SELECT id, title, done FROM todo ORDER BY created_at, id LIMIT " + LIST_LIMIT);
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                out.add(json(rows.getString(1), rows.getString(2), rows.getBoolean(3)));
            }
        }
        return out.toString();
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id) throws SQLException {
        try (Connection c = database.dataSource().getConnection();
                PreparedStatement delete = c.prepareStatement("DELETE FROM todo WHERE id = ?")) {
            delete.setString(1, id);
            return Response.status(delete.executeUpdate() == 1 ? Response.Status.NO_CONTENT : Response.Status.NOT_FOUND)
                    .build();
        }
    }

    private static String json(String id, String title, boolean done) {
        return "{\"id\":" + quote(id) + ",\"title\":" + quote(title == null ? "" : title) + ",\"done\":" + done + "}";
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        out.append(String.format("\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
