package org.nubes.core.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.nubes.core.auth.Access;

/**
 * Route registration that makes every route declare who may call it, and keeps the table so that
 * tests can walk it.
 */
public final class Routes {
    public record Route(HandlerType method, String path, Access access) {}

    private final RoutesConfig javalin;
    private final List<Route> table = new ArrayList<>();

    public Routes(RoutesConfig javalin) {
        this.javalin = javalin;
    }

    public Routes get(String path, Access access, Handler handler) {
        return add(HandlerType.GET, path, access, handler);
    }

    public Routes head(String path, Access access, Handler handler) {
        return add(HandlerType.HEAD, path, access, handler);
    }

    public Routes post(String path, Access access, Handler handler) {
        return add(HandlerType.POST, path, access, handler);
    }

    public Routes put(String path, Access access, Handler handler) {
        return add(HandlerType.PUT, path, access, handler);
    }

    public Routes patch(String path, Access access, Handler handler) {
        return add(HandlerType.PATCH, path, access, handler);
    }

    public Routes delete(String path, Access access, Handler handler) {
        return add(HandlerType.DELETE, path, access, handler);
    }

    /**
     * A route for any request method by name, including ones outside HTTP's standard set (Swift's
     * COPY, WebDAV's methods): the name is upper-cased, and a standard name gives the standard route.
     */
    public Routes method(String method, String path, Access access, Handler handler) {
        Objects.requireNonNull(method, "method");
        return add(HandlerType.findOrCreate(method.strip().toUpperCase(java.util.Locale.ROOT)), path, access, handler);
    }

    /** GET and HEAD with the same handler; Jetty drops the body of the HEAD answer. */
    public Routes getAndHead(String path, Access access, Handler handler) {
        get(path, access, handler);
        return head(path, access, handler);
    }

    public List<Route> table() {
        return List.copyOf(table);
    }

    private Routes add(HandlerType method, String path, Access access, Handler handler) {
        Objects.requireNonNull(access, () -> "route " + method + " " + path + " declares no access");
        table.add(new Route(method, path, access));
        javalin.addHttpHandler(method, path, handler, access);
        return this;
    }
}
