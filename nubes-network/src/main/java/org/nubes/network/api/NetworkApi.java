package org.nubes.network.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nubes.core.auth.Access;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.PageRequest;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;
import org.nubes.network.service.Caller;
import org.nubes.network.service.Collection;
import org.nubes.network.service.Input;
import org.nubes.network.service.Listing;
import org.nubes.network.service.Quotas;
import org.nubes.network.service.Resources;
import org.nubes.network.service.Routers;
import org.nubes.network.service.Topology;

/** The routes every Neutron collection shares (CRUD, tags), versions, extensions and quotas. */
public final class NetworkApi {
    private final Resources resources;
    private final List<Collection> collections;
    private final Quotas quotas;
    private final Routers routers;
    private final Topology topology;

    public NetworkApi(Resources resources, List<Collection> collections, Quotas quotas, Routers routers, Topology topology) {
        this.resources = resources;
        this.collections = collections;
        this.quotas = quotas;
        this.routers = routers;
        this.topology = topology;
    }

    public void register(Routes routes) {
        routes.get("/", Access.PUBLIC, this::versions);
        routes.get("/v2.0", Access.PUBLIC, this::resourceIndex);
        routes.get("/v2.0/", Access.PUBLIC, this::resourceIndex);
        routes.get("/v2.0/extensions", Access.rule("get_extension"), ctx -> {
            ObjectNode body = Json.object();
            Extensions.ALL.forEach(e -> body.withArray("extensions").add(e.json()));
            Http.json(ctx, body);
        });
        routes.get("/v2.0/extensions/{alias}", Access.rule("get_extension"), ctx -> {
            String alias = ctx.pathParam("alias");
            var extension = Extensions.find(alias)
                    .orElseThrow(() -> ApiException.notFound("Extension with alias %s does not exist", alias));
            ObjectNode body = Json.object();
            body.set("extension", extension.json());
            Http.json(ctx, body);
        });
        for (Collection collection : collections) {
            register(routes, collection);
        }
        routes.put("/v2.0/routers/{id}/add_router_interface", Access.rule("add_router_interface"),
                ctx -> Http.json(ctx, routers.addInterface(caller(ctx), id(ctx), Http.jsonBody(ctx))));
        routes.put("/v2.0/routers/{id}/remove_router_interface", Access.rule("remove_router_interface"),
                ctx -> Http.json(ctx, routers.removeInterface(caller(ctx), id(ctx), Http.jsonBody(ctx))));
        routes.get("/v2.0/auto-allocated-topology/{project_id}", Access.rule("get_auto_allocated_topology"),
                ctx -> Http.json(ctx, topology.autoAllocate(caller(ctx), ctx.pathParam("project_id"),
                        ctx.queryParams("fields").contains("dry-run"))));
        routes.delete("/v2.0/auto-allocated-topology/{project_id}", Access.rule("delete_auto_allocated_topology"), ctx -> {
            topology.deleteAutoAllocated(caller(ctx), ctx.pathParam("project_id"));
            Http.noContent(ctx);
        });
        routes.get("/v2.0/quotas", Access.rule("get_quota"), ctx -> Http.json(ctx, quotas.list(caller(ctx))));
        routes.get("/v2.0/quotas/{project_id}", Access.rule("get_quota"),
                ctx -> Http.json(ctx, quotas.show(caller(ctx), ctx.pathParam("project_id"))));
        routes.get("/v2.0/quotas/{project_id}/default", Access.rule("get_quota"),
                ctx -> Http.json(ctx, quotas.defaults(caller(ctx), ctx.pathParam("project_id"))));
        routes.get("/v2.0/quotas/{project_id}/detail", Access.rule("get_quota"),
                ctx -> Http.json(ctx, quotas.detail(caller(ctx), ctx.pathParam("project_id"))));
        routes.put("/v2.0/quotas/{project_id}", Access.rule("update_quota"),
                ctx -> Http.json(ctx, quotas.update(ctx.pathParam("project_id"), Http.jsonBody(ctx))));
        routes.delete("/v2.0/quotas/{project_id}", Access.rule("delete_quota"), ctx -> {
            quotas.reset(ctx.pathParam("project_id"));
            Http.noContent(ctx);
        });
    }

    private void register(Routes routes, Collection collection) {
        String singular = collection.kind().singular;
        String plural = collection.kind().plural();
        String base = "/v2.0/" + collection.kind().path;
        String one = base + "/{id}";
        routes.get(base, Access.rule("get_" + singular), ctx -> list(ctx, collection));
        routes.post(base, Access.rule("create_" + singular), ctx -> {
            ObjectNode request = Http.jsonBody(ctx);
            if (request.has(plural)) {
                ObjectNode body = Json.object();
                body.set(plural, resources.createAll(caller(ctx), collection, request.get(plural)));
                Http.json(ctx, 201, body);
            } else {
                Http.json(ctx, 201, wrap(singular, resources.create(caller(ctx), collection, request)));
            }
        });
        routes.get(one, Access.rule("get_" + singular), ctx -> Http.json(ctx,
                wrap(singular, Listing.fields(resources.show(caller(ctx), collection, id(ctx)), ctx.queryParams("fields")))));
        routes.put(one, Access.rule("update_" + singular),
                ctx -> Http.json(ctx, wrap(singular, resources.update(caller(ctx), collection, id(ctx), Http.jsonBody(ctx)))));
        routes.delete(one, Access.rule("delete_" + singular), ctx -> {
            resources.delete(caller(ctx), collection, id(ctx));
            Http.noContent(ctx);
        });
        if (!collection.kind().taggable()) {
            return;
        }
        var kind = collection.kind();
        String tags = plural + "_tags";
        routes.get(one + "/tags", Access.rule("get_" + tags),
                ctx -> Http.json(ctx, tagsBody(resources.tags(caller(ctx), kind, id(ctx)))));
        routes.get(one + "/tags/{tag}", Access.rule("get_" + tags), ctx -> {
            resources.checkTag(caller(ctx), kind, id(ctx), ctx.pathParam("tag"));
            Http.noContent(ctx);
        });
        routes.put(one + "/tags", Access.rule("update_" + tags), ctx -> {
            List<String> given = Input.of(Http.jsonBody(ctx)).strings("tags");
            Http.json(ctx, tagsBody(resources.changeTags(caller(ctx), kind, id(ctx), given, false)));
        });
        routes.put(one + "/tags/{tag}", Access.rule("create_" + tags), ctx -> {
            resources.changeTags(caller(ctx), kind, id(ctx), List.of(ctx.pathParam("tag")), true);
            ctx.status(201);
        });
        routes.delete(one + "/tags", Access.rule("delete_" + tags), ctx -> {
            resources.removeTag(caller(ctx), kind, id(ctx), null);
            Http.noContent(ctx);
        });
        routes.delete(one + "/tags/{tag}", Access.rule("delete_" + tags), ctx -> {
            resources.removeTag(caller(ctx), kind, id(ctx), ctx.pathParam("tag"));
            Http.noContent(ctx);
        });
    }

    static Caller caller(Context ctx) {
        return Caller.of(Http.caller(ctx));
    }

    private static String id(Context ctx) {
        return ctx.pathParam("id");
    }

    static ObjectNode wrap(String key, ObjectNode value) {
        ObjectNode body = Json.object();
        body.set(key, value);
        return body;
    }

    private static ObjectNode tagsBody(List<String> tags) {
        ObjectNode body = Json.object();
        ArrayNode array = body.putArray("tags");
        tags.forEach(array::add);
        return body;
    }

    /** A page of the collection; with a limit, {plural}_links for the next and previous pages. */
    private void list(Context ctx, Collection collection) {
        Map<String, List<String>> query = ctx.queryParamMap();
        PageRequest page = PageRequest.of(ctx, Integer.MAX_VALUE);
        // limit=0, as no limit at all, pages nothing.
        boolean paged = page.limit() > 0 && ctx.queryParam("limit") != null;
        Listing.Page result = resources.list(caller(ctx), collection, query, paged ? page.limit() : Integer.MAX_VALUE);
        ObjectNode body = Json.object();
        String plural = collection.kind().plural();
        ArrayNode items = body.putArray(plural);
        result.items().forEach(item -> items.add(Listing.fields(item, ctx.queryParams("fields"))));
        if (paged) {
            ArrayNode links = body.putArray(plural + "_links");
            if (result.more() && !result.items().isEmpty()) {
                links.addObject().put("rel", "next").put("href", link(ctx, result.items().getLast().path("id").asText(), false));
            }
            if (page.marker() != null && result.earlier() && !result.items().isEmpty()) {
                links.addObject().put("rel", "previous").put("href", link(ctx, result.items().getFirst().path("id").asText(), true));
            }
        }
        Http.json(ctx, body);
    }

    /** The request's query with another marker (and page_reverse for the previous page). */
    private static String link(Context ctx, String marker, boolean reverse) {
        List<String> parts = new ArrayList<>();
        ctx.queryParamMap().forEach((key, values) -> {
            if (!key.equals("marker") && !key.equals("page_reverse")) {
                values.forEach(v -> parts.add(encode(key) + "=" + encode(v)));
            }
        });
        parts.add("marker=" + encode(marker));
        if (reverse) {
            parts.add("page_reverse=True");
        }
        return Http.baseUrl(ctx) + ctx.path() + "?" + String.join("&", parts);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private void versions(Context ctx) {
        ObjectNode body = Json.object();
        ObjectNode version = body.putArray("versions").addObject().put("id", "v2.0").put("status", "CURRENT");
        version.putArray("links").addObject().put("href", Http.baseUrl(ctx) + "/v2.0/").put("rel", "self");
        Http.json(ctx, body);
    }

    private void resourceIndex(Context ctx) {
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("resources");
        for (Collection collection : collections) {
            ObjectNode resource = list.addObject().put("name", collection.kind().singular)
                    .put("collection", collection.kind().plural());
            resource.putArray("links").addObject()
                    .put("href", Http.baseUrl(ctx) + "/v2.0/" + collection.kind().path).put("rel", "self");
        }
        Http.json(ctx, body);
    }
}
