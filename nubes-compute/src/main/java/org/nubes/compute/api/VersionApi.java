package org.nubes.compute.api;

import static org.nubes.core.auth.Access.PUBLIC;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import org.nubes.compute.ComputeService;
import org.nubes.core.http.Http;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;

/** Version discovery: GET / (300, every version) and GET /v2.1 (the current one). */
public final class VersionApi {
    /** The date Nova gives 2.1 as updated. */
    private static final String UPDATED = "2013-07-23T11:33:21Z";

    public void register(Routes routes) {
        routes.get("/", PUBLIC, ctx -> Http.json(ctx, 300, versions(ctx)));
        routes.get("/v2.1", PUBLIC, ctx -> Http.json(ctx, Json.object().set("version", current(ctx))));
        routes.get("/v2.1/", PUBLIC, ctx -> Http.json(ctx, Json.object().set("version", current(ctx))));
    }

    private static ObjectNode versions(Context ctx) {
        ObjectNode body = Json.object();
        var list = body.putArray("versions");
        ObjectNode v2 = list.addObject().put("id", "v2.0").put("status", "SUPPORTED").put("version", "")
                .put("min_version", "").put("updated", "2011-01-21T11:33:21Z");
        v2.putArray("links").addObject().put("rel", "self").put("href", Http.baseUrl(ctx) + "/v2/");
        list.add(summary(ctx));
        return body;
    }

    private static ObjectNode summary(Context ctx) {
        ObjectNode v = Json.object().put("id", "v2.1").put("status", "CURRENT")
                .put("version", ComputeService.MICROVERSIONS.max().toString())
                .put("min_version", ComputeService.MICROVERSIONS.min().toString()).put("updated", UPDATED);
        v.putArray("links").addObject().put("rel", "self").put("href", Http.baseUrl(ctx) + "/v2.1/");
        return v;
    }

    private static ObjectNode current(Context ctx) {
        ObjectNode v = summary(ctx);
        var links = v.withArray("links");
        links.addObject().put("rel", "describedby").put("type", "text/html").put("href", "http://docs.openstack.org/");
        v.putArray("media-types").addObject().put("base", "application/json")
                .put("type", "application/vnd.openstack.compute+json;version=2.1");
        return v;
    }
}
