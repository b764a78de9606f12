package org.nubes.identity.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import org.nubes.core.auth.Access;
import org.nubes.core.http.Http;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;

/** Version discovery: GET / lists the versions (300), GET /v3 describes v3. */
final class VersionApi {
    static final String VERSION = "v3.14";

    void register(Routes routes) {
        routes.getAndHead("/", Access.PUBLIC, this::versions);
        routes.getAndHead("/v3", Access.PUBLIC, this::v3);
        routes.getAndHead("/v3/", Access.PUBLIC, this::v3);
    }

    private void versions(Context ctx) {
        ObjectNode body = Json.object();
        body.putObject("versions").putArray("values").add(describe(Http.baseUrl(ctx)));
        Http.json(ctx, 300, body);
    }

    private void v3(Context ctx) {
        ObjectNode body = Json.object();
        body.set("version", describe(Http.baseUrl(ctx)));
        Http.json(ctx, body);
    }

    private static ObjectNode describe(String base) {
        ObjectNode v = Json.object();
        v.put("id", VERSION).put("status", "stable").put("updated", "2020-04-07T00:00:00Z");
        v.putArray("links").addObject().put("rel", "self").put("href", base + "/v3/");
        v.putArray("media-types").addObject().put("base", "application/json")
                .put("type", "application/vnd.openstack.identity-v3+json");
        return v;
    }
}
