package org.nubes.compute.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.nubes.compute.service.Flavors;
import org.nubes.compute.store.Flavor;
import org.nubes.core.auth.Access;
import org.nubes.core.auth.Target;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;

/**
 * The flavor routes: flavors (list, detail, show, create, delete), their extra specs and their
 * access lists, with the keys Nova shows up to 2.53 (no description, no extra_specs in the views;
 * swap is "" when zero).
 */
public final class FlavorApi {
    /** Nova's api.max_limit: the longest page. */
    static final int MAX_LIMIT = 1000;

    private static final Pattern FLAVOR_ID = Pattern.compile("^(?! )[a-zA-Z0-9. _-]+(?<! )$");
    private static final Pattern RXTX = Pattern.compile("^[0-9]+(\\.[0-9]+)?$");
    private static final Pattern SPEC_KEY = Pattern.compile("^[a-zA-Z0-9-_:. ]{1,255}$");
    private static final Set<String> CREATE_KEYS = Set.of("name", "id", "ram", "vcpus", "disk",
            "OS-FLV-EXT-DATA:ephemeral", "swap", "rxtx_factor", "os-flavor-access:is_public");

    private static final Access INDEX = Access.rule("os_compute_api:flavors:index");

    private final Flavors flavors;

    public FlavorApi(Flavors flavors) {
        this.flavors = flavors;
    }

    public void register(Routes routes) {
        routes.get("/v2.1/flavors", INDEX, ctx -> list(ctx, false));
        routes.get("/v2.1/flavors/detail", INDEX, ctx -> list(ctx, true));
        routes.post("/v2.1/flavors", Access.rule("os_compute_api:os-flavor-manage:create"), this::create);
        routes.get("/v2.1/flavors/{flavor_id}", INDEX,
                ctx -> Http.json(ctx, Json.object().set("flavor", detail(ctx, flavors.get(id(ctx), Http.caller(ctx))))));
        // Updating a flavor's description came with 2.55, above the versions honoured: as Nova below 2.55, 404.
        routes.put("/v2.1/flavors/{flavor_id}", INDEX, ctx -> {
            throw ApiException.notFound("The resource could not be found.");
        });
        routes.delete("/v2.1/flavors/{flavor_id}", Access.rule("os_compute_api:os-flavor-manage:delete"), ctx -> {
            flavors.delete(id(ctx));
            ctx.status(202);
        });

        routes.get("/v2.1/flavors/{flavor_id}/os-extra_specs", Access.rule("os_compute_api:os-flavor-extra-specs:index"),
                ctx -> Http.json(ctx, Json.object().set("extra_specs",
                        Json.MAPPER.valueToTree(flavors.get(id(ctx), Http.caller(ctx)).extraSpecs()))));
        routes.post("/v2.1/flavors/{flavor_id}/os-extra_specs", Access.rule("os_compute_api:os-flavor-extra-specs:create"),
                this::createSpecs);
        routes.get("/v2.1/flavors/{flavor_id}/os-extra_specs/{key}", Access.rule("os_compute_api:os-flavor-extra-specs:show"),
                this::showSpec);
        routes.put("/v2.1/flavors/{flavor_id}/os-extra_specs/{key}", Access.rule("os_compute_api:os-flavor-extra-specs:update"),
                this::updateSpec);
        routes.delete("/v2.1/flavors/{flavor_id}/os-extra_specs/{key}",
                Access.rule("os_compute_api:os-flavor-extra-specs:delete"), ctx -> {
                    flavors.deleteExtraSpec(id(ctx), ctx.pathParam("key"), Http.caller(ctx));
                    ctx.status(200);
                });

        routes.get("/v2.1/flavors/{flavor_id}/os-flavor-access", Access.rule("os_compute_api:os-flavor-access"),
                ctx -> Http.json(ctx, access(id(ctx), flavors.access(id(ctx), Http.caller(ctx)))));
        // Each action enforces its own rule once the body says which it is.
        routes.post("/v2.1/flavors/{flavor_id}/action", INDEX, this::action);
    }

    private static String id(Context ctx) {
        return ctx.pathParam("flavor_id");
    }

    private void list(Context ctx, boolean detail) {
        var caller = Http.caller(ctx);
        Boolean isPublic = Boolean.TRUE;
        String isPublicText = ctx.queryParam("is_public");
        if (caller.isAdmin() && isPublicText != null) {
            if (isPublicText.equalsIgnoreCase("none")) {
                isPublic = null;
            } else {
                isPublic = Input.strictBool(isPublicText);
                if (isPublic == null) {
                    throw ApiException.badRequest("Invalid is_public filter [%s]", isPublicText);
                }
            }
        }
        String sortKey = ctx.queryParam("sort_key");
        if (sortKey == null || sortKey.isEmpty()) {
            sortKey = "flavorid";
        } else if (!Flavors.SORT_KEYS.contains(sortKey)) {
            throw Input.invalidQuery("sort_key", sortKey, "'" + sortKey + "' is not one of " + quoted(Flavors.SORT_KEYS));
        }
        String sortDir = ctx.queryParam("sort_dir");
        if (sortDir == null || sortDir.isEmpty()) {
            sortDir = "asc";
        } else if (!sortDir.equals("asc") && !sortDir.equals("desc")) {
            throw Input.invalidQuery("sort_dir", sortDir, "'" + sortDir + "' is not one of ['asc', 'desc']");
        }
        Integer limit = Input.queryInt(ctx, "limit");
        int pageLimit = limit == null ? MAX_LIMIT : Math.min(limit, MAX_LIMIT);
        Flavors.Query query = new Flavors.Query(isPublic, minimum(ctx, "minRam"), minimum(ctx, "minDisk"), sortKey,
                sortDir.equals("desc"), pageLimit, ctx.queryParam("marker"));
        List<Flavor> page = flavors.list(caller, query);
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("flavors");
        for (Flavor f : page) {
            list.add(detail ? detail(ctx, f) : brief(ctx, f));
        }
        if (pageLimit > 0 && page.size() == pageLimit) {
            body.putArray("flavors_links").add(nextLink(ctx, detail ? "flavors/detail" : "flavors", page.getLast().id()));
        }
        Http.json(ctx, body);
    }

    private static Integer minimum(Context ctx, String param) {
        String text = ctx.queryParam(param);
        if (text == null) {
            return null;
        }
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Invalid %s filter [%s]", param, text);
        }
    }

    private static String quoted(List<String> values) {
        return "[" + String.join(", ", values.stream().map(v -> "'" + v + "'").toList()) + "]";
    }

    /**
     * Nova's next link: the request's query parameters sorted by name, the marker set to the last
     * item, under /v2.1/{collection}.
     */
    static ObjectNode nextLink(Context ctx, String collection, String lastId) {
        Map<String, String> params = new java.util.TreeMap<>();
        ctx.queryParamMap().forEach((k, v) -> {
            if (!v.isEmpty()) {
                params.put(k, v.getFirst());
            }
        });
        params.put("marker", lastId);
        StringBuilder query = new StringBuilder();
        params.forEach((k, v) -> query.append(query.isEmpty() ? "" : "&").append(encode(k)).append('=').append(encode(v)));
        return Json.object().put("href", Http.baseUrl(ctx) + "/v2.1/" + collection + "?" + query).put("rel", "next");
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    static ArrayNode links(Context ctx, String collection, String id) {
        ArrayNode links = Json.array();
        links.addObject().put("href", Http.baseUrl(ctx) + "/v2.1/" + collection + "/" + id).put("rel", "self");
        links.addObject().put("href", Http.baseUrl(ctx) + "/" + collection + "/" + id).put("rel", "bookmark");
        return links;
    }

    private static ObjectNode brief(Context ctx, Flavor f) {
        ObjectNode view = Json.object().put("id", f.id());
        view.set("links", links(ctx, "flavors", f.id()));
        view.put("name", f.name());
        return view;
    }

    /** The detailed view (show, detail, create) as of 2.1 to 2.54. */
    static ObjectNode detail(Context ctx, Flavor f) {
        ObjectNode view = Json.object()
                .put("OS-FLV-DISABLED:disabled", f.disabled())
                .put("disk", f.rootGb())
                .put("OS-FLV-EXT-DATA:ephemeral", f.ephemeralGb())
                .put("os-flavor-access:is_public", f.isPublic())
                .put("id", f.id());
        view.set("links", links(ctx, "flavors", f.id()));
        view.put("name", f.name()).put("ram", f.memoryMb());
        if (f.swapMb() == 0) {
            view.put("swap", "");
        } else {
            view.put("swap", f.swapMb());
        }
        view.put("vcpus", f.vcpus());
        if (f.rxtxFactor() == 0) {
            view.put("rxtx_factor", "");
        } else {
            view.put("rxtx_factor", f.rxtxFactor());
        }
        return view;
    }

    private void create(Context ctx) {
        ObjectNode in = Input.wrapped(ctx, "flavor");
        Input.only(in, CREATE_KEYS);
        String name = Input.name(in, "name", 255).strip();
        Input.required(in, "ram");
        Input.required(in, "vcpus");
        Input.required(in, "disk");
        int ram = Input.integer(in, "ram", 1);
        int vcpus = Input.integer(in, "vcpus", 1);
        int disk = Input.integer(in, "disk", 0);
        Integer ephemeral = Input.integer(in, "OS-FLV-EXT-DATA:ephemeral", 0);
        Integer swap = Input.integer(in, "swap", 0);
        Boolean isPublic = Input.bool(in, "os-flavor-access:is_public");
        Flavor flavor = new Flavor(flavorId(in), name, vcpus, ram, disk, ephemeral == null ? 0 : ephemeral,
                swap == null ? 0 : swap, rxtxFactor(in), isPublic == null || isPublic, false, null, Map.of());
        Http.json(ctx, Json.object().set("flavor", detail(ctx, flavors.create(flavor))));
    }

    /** The id asked for, or null for a new UUID. */
    private static String flavorId(ObjectNode in) {
        JsonNode id = in.get("id");
        if (id == null || id.isNull()) {
            return null;
        }
        if (id.isNumber()) {
            return id.isIntegralNumber() ? id.bigIntegerValue().toString() : String.valueOf(id.doubleValue());
        }
        if (!id.isTextual()) {
            throw Input.invalid("id", id, Json.string(id) + " is not of type 'string', 'number', 'null'");
        }
        String text = id.asText();
        if (text.isEmpty()) {
            throw Input.invalid("id", id, "'' is too short");
        }
        if (text.length() > 255) {
            throw Input.invalid("id", id, "'" + text + "' is too long");
        }
        if (!FLAVOR_ID.matcher(text).matches()) {
            throw Input.invalid("id", id, "'" + text + "' does not match '" + FLAVOR_ID.pattern() + "'");
        }
        return text;
    }

    private static double rxtxFactor(ObjectNode in) {
        JsonNode value = in.get("rxtx_factor");
        if (value == null) {
            return 1.0;
        }
        double factor;
        if (value.isNumber()) {
            factor = value.asDouble();
        } else if (value.isTextual() && RXTX.matcher(value.asText()).matches()) {
            factor = Double.parseDouble(value.asText());
        } else if (value.isTextual()) {
            throw Input.invalid("rxtx_factor", value,
                    "'" + value.asText() + "' does not match '" + RXTX.pattern() + "'");
        } else {
            throw Input.invalid("rxtx_factor", value, Json.string(value) + " is not of type 'number', 'string'");
        }
        if (factor <= 0 || factor > 3.40282e+38) {
            throw ApiException.badRequest("Invalid input received: 'rxtx_factor' argument must be a float between 0 and %s",
                    "3.40282e+38");
        }
        return factor;
    }

    /** Extra specs as sent: keys of Nova's pattern, values strings or numbers of at most 255 characters. */
    private static Map<String, String> specs(ObjectNode specs, String field) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = specs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!SPEC_KEY.matcher(e.getKey()).matches()) {
                throw ApiException.badRequest("Invalid input for field/attribute %s. Value: %s. "
                        + "Additional properties are not allowed ('%s' was unexpected)", field, Json.string(specs), e.getKey());
            }
            JsonNode value = e.getValue();
            if (!value.isTextual() && !value.isNumber()) {
                throw Input.invalid(field + "/" + e.getKey(), value,
                        Json.string(value) + " is not of type 'string', 'number'");
            }
            String text = value.isTextual() ? value.asText() : value.toString();
            if (text.length() > 255) {
                throw Input.invalid(field + "/" + e.getKey(), value, "'" + text + "' is too long");
            }
            values.put(e.getKey(), text);
        }
        return values;
    }

    private void createSpecs(Context ctx) {
        ObjectNode body = Http.jsonBody(ctx);
        Input.only(body, Set.of("extra_specs"));
        JsonNode specs = Input.required(body, "extra_specs");
        if (!specs.isObject()) {
            throw Input.invalid("extra_specs", specs, Json.string(specs) + " is not of type 'object'");
        }
        Map<String, String> values = specs((ObjectNode) specs, "extra_specs");
        flavors.putExtraSpecs(id(ctx), values, Http.caller(ctx));
        // Nova answers with the request as sent (numbers stay numbers here, and only here).
        Http.json(ctx, body);
    }

    private void showSpec(Context ctx) {
        Flavor flavor = flavors.get(id(ctx), Http.caller(ctx));
        String key = ctx.pathParam("key");
        String value = flavor.extraSpecs().get(key);
        if (value == null) {
            throw ApiException.notFound("Flavor %s has no extra specs with key %s.", id(ctx), key);
        }
        Http.json(ctx, Json.object().put(key, value));
    }

    private void updateSpec(Context ctx) {
        ObjectNode body = Http.jsonBody(ctx);
        Map<String, String> values = specs(body, "");
        if (values.size() != 1) {
            throw ApiException.badRequest("Invalid input for field/attribute . Value: %s. %s", Json.string(body),
                    values.isEmpty() ? "{} does not have enough properties" : Json.string(body) + " has too many properties");
        }
        String key = ctx.pathParam("key");
        if (!values.containsKey(key)) {
            throw ApiException.badRequest("Request body and URI mismatch");
        }
        flavors.putExtraSpecs(id(ctx), values, Http.caller(ctx));
        Http.json(ctx, body);
    }

    private static ObjectNode access(String flavorId, List<String> projects) {
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("flavor_access");
        projects.forEach(p -> list.addObject().put("flavor_id", flavorId).put("tenant_id", p));
        return body;
    }

    private void action(Context ctx) {
        ObjectNode body = Http.jsonBody(ctx);
        if (body.size() != 1) {
            throw ApiException.badRequest("Malformed request body");
        }
        String action = body.fieldNames().next();
        boolean add = action.equals("addTenantAccess");
        if (!add && !action.equals("removeTenantAccess")) {
            Http.enforce(ctx, "os_compute_api:os-flavor-access", Target.NONE);
            throw ApiException.badRequest("There is no such action: %s", action);
        }
        Http.enforce(ctx, add ? "os_compute_api:os-flavor-access:add_tenant_access"
                : "os_compute_api:os-flavor-access:remove_tenant_access", Target.NONE);
        ObjectNode args = Input.wrapped(ctx, action);
        Input.only(args, Set.of("tenant"));
        JsonNode tenant = Input.required(args, "tenant");
        if (!tenant.isTextual()) {
            throw Input.invalid("tenant", tenant, Json.string(tenant) + " is not of type 'string'");
        }
        String project = tenant.asText();
        if (project.isEmpty() || project.length() > 255) {
            throw Input.invalid("tenant", tenant, "'" + project + "' is " + (project.isEmpty() ? "too short" : "too long"));
        }
        var caller = Http.caller(ctx);
        List<String> projects = add
                ? flavors.addAccess(id(ctx), project, Http.microversion(ctx).atLeast(2, 7), caller)
                : flavors.removeAccess(id(ctx), project, caller);
        Http.json(ctx, access(id(ctx), projects));
    }
}
