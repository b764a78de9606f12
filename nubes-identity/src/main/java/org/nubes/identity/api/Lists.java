package org.nubes.identity.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.List;
import org.nubes.core.auth.AuthContext;
import org.nubes.core.auth.Target;
import org.nubes.core.http.Http;
import org.nubes.core.json.Json;

/** Keystone's list answers, and the domain a list is limited to for domain-scoped readers. */
final class Lists {
    private Lists() {}

    static void answer(Context ctx, String key, List<ObjectNode> items) {
        ObjectNode body = Json.object();
        body.putArray(key).addAll(items);
        String query = ctx.queryString();
        body.set("links", Views.listLinks(Http.baseUrl(ctx) + ctx.path() + (query == null ? "" : "?" + query)));
        Http.json(ctx, body);
    }

    /**
     * Enforces a list rule whose target is a domain. A caller that may list everything gets null
     * (no limit); a domain-scoped reader gets their domain, and only it.
     */
    static String domainLimit(Context ctx, String rule) {
        AuthContext caller = Http.caller(ctx);
        String asked = ctx.queryParam("domain_id");
        if (Http.allows(ctx, rule, Target.NONE)) {
            return null;
        }
        String domain = asked != null ? asked : caller.domainId();
        Http.enforce(ctx, rule, Target.of("domain_id", domain));
        return domain;
    }
}
