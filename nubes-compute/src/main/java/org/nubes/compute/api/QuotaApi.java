package org.nubes.compute.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.nubes.compute.service.QuotaSets;
import org.nubes.core.auth.Access;
import org.nubes.core.auth.Target;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Microversion;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;

/**
 * os-quota-sets: a project's limits (show, detail with use, defaults), set and reset by admins.
 * From 2.36 the network resources are neither shown nor accepted. Limits are per project; a
 * user_id in the query is answered with the project's limits, and refused when setting or resetting.
 */
public final class QuotaApi {
    private static final Pattern INTEGER = Pattern.compile("^-?[0-9]+$");

    private final QuotaSets quotas;

    public QuotaApi(QuotaSets quotas) {
        this.quotas = quotas;
    }

    public void register(Routes routes) {
        routes.get("/v2.1/os-quota-sets/{project_id}", Access.rule("os_compute_api:os-quota-sets:show"), this::show);
        routes.get("/v2.1/os-quota-sets/{project_id}/detail", Access.rule("os_compute_api:os-quota-sets:detail"),
                this::detail);
        routes.get("/v2.1/os-quota-sets/{project_id}/defaults", Access.rule("os_compute_api:os-quota-sets:defaults"),
                this::defaults);
        routes.put("/v2.1/os-quota-sets/{project_id}", Access.rule("os_compute_api:os-quota-sets:update"), this::update);
        routes.delete("/v2.1/os-quota-sets/{project_id}", Access.rule("os_compute_api:os-quota-sets:delete"), this::delete);
    }

    private static String project(Context ctx) {
        return ctx.pathParam("project_id");
    }

    /** The resources shown at this microversion. */
    static List<String> shown(Microversion version) {
        List<String> shown = new ArrayList<>(QuotaSets.RESOURCES);
        if (version.atLeast(2, 36)) {
            shown.removeAll(QuotaSets.NETWORK);
        }
        return shown;
    }

    private static ObjectNode quotaSet(String projectId, Map<String, Integer> values, Microversion version) {
        ObjectNode set = Json.object();
        if (projectId != null) {
            set.put("id", projectId);
        }
        for (String r : shown(version)) {
            set.put(r, values.get(r));
        }
        return (ObjectNode) Json.object().set("quota_set", set);
    }

    private void show(Context ctx) {
        Http.enforce(ctx, "os_compute_api:os-quota-sets:show", Target.of("project_id", project(ctx)));
        Http.json(ctx, quotaSet(project(ctx), quotas.limits(project(ctx)), Http.microversion(ctx)));
    }

    private void detail(Context ctx) {
        Http.enforce(ctx, "os_compute_api:os-quota-sets:detail", Target.of("project_id", project(ctx)));
        Map<String, QuotaSets.Usage> usage = quotas.usage(project(ctx));
        ObjectNode set = Json.object().put("id", project(ctx));
        for (String r : shown(Http.microversion(ctx))) {
            QuotaSets.Usage u = usage.get(r);
            set.putObject(r).put("in_use", u.inUse()).put("limit", u.limit()).put("reserved", 0);
        }
        Http.json(ctx, Json.object().set("quota_set", set));
    }

    private void defaults(Context ctx) {
        Http.json(ctx, quotaSet(project(ctx), quotas.defaults(), Http.microversion(ctx)));
    }

    private void update(Context ctx) {
        Microversion version = Http.microversion(ctx);
        if (ctx.queryParam("user_id") != null) {
            throw ApiException.badRequest("Quotas of single users are not supported here; set the project's quotas.");
        }
        ObjectNode in = Input.wrapped(ctx, "quota_set");
        List<String> allowed = new ArrayList<>(shown(version));
        allowed.add("force");
        Input.only(in, allowed);
        Boolean force = Input.bool(in, "force");
        Map<String, Integer> limits = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = in.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("force")) {
                limits.put(e.getKey(), limit(e.getKey(), e.getValue()));
            }
        }
        quotas.update(project(ctx), limits, force != null && force);
        Http.json(ctx, quotaSet(null, quotas.limits(project(ctx)), version));
    }

    /** An integer from -1 to 2^31-1, as a JSON integer or a string of digits. */
    private static int limit(String field, JsonNode value) {
        long number;
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            number = value.asLong();
        } else if (value.isTextual() && INTEGER.matcher(value.asText()).matches() && value.asText().length() < 12) {
            number = Long.parseLong(value.asText());
        } else {
            throw Input.invalid(field, value, Json.string(value) + " is not of type 'integer', 'string'");
        }
        if (number < -1) {
            throw Input.invalid(field, value, number + " is less than the minimum of -1");
        }
        if (number > Integer.MAX_VALUE) {
            throw Input.invalid(field, value, number + " is greater than the maximum of 2147483647");
        }
        return (int) number;
    }

    private void delete(Context ctx) {
        if (ctx.queryParam("user_id") != null) {
            throw ApiException.badRequest("Quotas of single users are not supported here; reset the project's quotas.");
        }
        quotas.reset(project(ctx));
        ctx.status(202);
    }
}
