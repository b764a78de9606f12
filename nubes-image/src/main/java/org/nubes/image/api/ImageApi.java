package org.nubes.image.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import org.nubes.core.auth.Access;
import org.nubes.core.http.Http;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;

/** Every route of the image API. */
public final class ImageApi {
    public void register(Routes routes) {
        routes.getAndHead("/", Access.PUBLIC, this::versions);
        routes.getAndHead("/versions", Access.PUBLIC, this::versions);
    }

    /** Glance answers its version list with 300 at the root and 200 at /versions. */
    private void versions(Context ctx) {
        String base = Http.baseUrl(ctx);
        ObjectNode body = Json.object();
        var list = body.putArray("versions");
        String[][] versions = {{"v2.16", "CURRENT"}, {"v2.15", "SUPPORTED"}, {"v2.9", "SUPPORTED"}, {"v2.0", "SUPPORTED"}};
        for (String[] v : versions) {
            ObjectNode version = list.addObject().put("id", v[0]).put("status", v[1]);
            version.putArray("links").addObject().put("rel", "self").put("href", base + "/v2/");
        }
        Http.json(ctx, ctx.path().equals("/") ? 300 : 200, body);
    }
}
