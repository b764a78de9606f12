package org.nubes.identity.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nubes.core.auth.Access;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;
import org.nubes.identity.store.CatalogService;
import org.nubes.identity.store.Endpoint;
import org.nubes.identity.store.IdentityStores;
import org.nubes.identity.store.Ids;
import org.nubes.identity.store.Region;

/** /v3/regions, /v3/services and /v3/endpoints: the service catalog. */
final class CatalogApi {
    private static final Set<String> REGION_KNOWN = Set.of("description", "parent_region_id");
    /** A service's name and description are extra attributes in Keystone, so they stay in extra. */
    private static final Set<String> SERVICE_KNOWN = Set.of("type", "enabled");
    private static final Set<String> ENDPOINT_KNOWN = Set.of("interface", "service_id", "region_id", "region", "url", "enabled");
    private static final List<String> INTERFACES = List.of("admin", "internal", "public");
    private static final String INTERFACES_TEXT = "['admin', 'internal', 'public']";
    private static final Pattern URL = Pattern.compile("^[a-zA-Z0-9+.-]+:.+");
    /** The only $(name)s substitutions Keystone fills in when it renders the catalog. */
    private static final Set<String> URL_SUBSTITUTIONS = Set.of("tenant_id", "project_id", "user_id", "compute_host", "public_endpoint");
    private static final Pattern SUBSTITUTION = Pattern.compile("\\$\\(([^)]*)\\)");
    private static final String CLIENT_ERROR = "The server could not comply with the request since it is either "
            + "malformed or otherwise incorrect. The client is assumed to be in error.";

    private final IdentityStores stores;

    CatalogApi(IdentityStores stores) {
        this.stores = stores;
    }

    void register(Routes routes) {
        routes.get("/v3/regions", Access.rule("identity:list_regions"), this::listRegions);
        routes.post("/v3/regions", Access.rule("identity:create_region"), this::createRegion);
        routes.get("/v3/regions/{region_id}", Access.rule("identity:get_region"), this::showRegion);
        routes.put("/v3/regions/{region_id}", Access.rule("identity:create_region"), this::putRegion);
        routes.patch("/v3/regions/{region_id}", Access.rule("identity:update_region"), this::updateRegion);
        routes.delete("/v3/regions/{region_id}", Access.rule("identity:delete_region"), this::deleteRegion);

        routes.get("/v3/services", Access.rule("identity:list_services"), this::listServices);
        routes.post("/v3/services", Access.rule("identity:create_service"), this::createService);
        routes.get("/v3/services/{service_id}", Access.rule("identity:get_service"), this::showService);
        routes.patch("/v3/services/{service_id}", Access.rule("identity:update_service"), this::updateService);
        routes.delete("/v3/services/{service_id}", Access.rule("identity:delete_service"), this::deleteService);

        routes.get("/v3/endpoints", Access.rule("identity:list_endpoints"), this::listEndpoints);
        routes.post("/v3/endpoints", Access.rule("identity:create_endpoint"), this::createEndpoint);
        routes.get("/v3/endpoints/{endpoint_id}", Access.rule("identity:get_endpoint"), this::showEndpoint);
        routes.patch("/v3/endpoints/{endpoint_id}", Access.rule("identity:update_endpoint"), this::updateEndpoint);
        routes.delete("/v3/endpoints/{endpoint_id}", Access.rule("identity:delete_endpoint"), this::deleteEndpoint);
    }

    // Regions

    private void listRegions(Context ctx) {
        String base = Http.baseUrl(ctx);
        List<ObjectNode> regions = stores.catalog().regions().stream().map(r -> Views.region(base, r)).toList();
        Lists.answer(ctx, "regions", Filters.apply(ctx, regions, Set.of("parent_region_id")));
    }

    private void createRegion(Context ctx) {
        ObjectNode body = Body.resource(ctx, "region");
        String id = Body.optionalString(body, "id", 255);
        // An empty id is allowed and means "make one up", as for a missing id.
        createRegion(ctx, body, id == null || id.isEmpty() ? Ids.newId() : id);
    }

    /** PUT /v3/regions/{id} creates the region with the id of the path; it never updates. */
    private void putRegion(Context ctx) {
        String id = ctx.pathParam("region_id");
        ObjectNode body = Body.resource(ctx, "region");
        String bodyId = Body.optionalString(body, "id", 255);
        if (body.has("id") && !id.equals(bodyId)) {
            throw ApiException.badRequest("Conflicting region IDs specified: \"%s\" != \"%s\"", id, bodyId);
        }
        createRegion(ctx, body, id);
    }

    private void createRegion(Context ctx, ObjectNode body, String id) {
        String description = Body.optionalString(body, "description", 255);
        String parent = parentRegion(body);
        if (parent != null) {
            requireRegion(parent);
        }
        Region region = new Region(id, description == null ? "" : description, parent, Body.extra(body, REGION_KNOWN));
        stores.catalog().createRegion(region);
        Http.json(ctx, 201, Views.wrap("region", Views.region(Http.baseUrl(ctx), region)));
    }

    private void showRegion(Context ctx) {
        Http.json(ctx, Views.wrap("region", Views.region(Http.baseUrl(ctx), requireRegion(ctx.pathParam("region_id")))));
    }

    private void updateRegion(Context ctx) {
        Region region = requireRegion(ctx.pathParam("region_id"));
        ObjectNode body = updateBody(ctx, "region", region.id());
        String description = body.has("description") ? Body.optionalString(body, "description", 255) : region.description();
        String parent = body.has("parent_region_id") ? parentRegion(body) : region.parentRegionId();
        if (parent != null && !parent.equals(region.parentRegionId())) {
            requireRegion(parent);
            if (ancestorsAndSelf(parent).contains(region.id())) {
                throw ApiException.badRequest("The specified parent region %s would create a circular region hierarchy.", parent);
            }
        }
        Region updated = new Region(region.id(), description == null ? "" : description, parent,
                Body.mergeExtra(region.extra(), body, REGION_KNOWN));
        stores.catalog().updateRegion(updated);
        Http.json(ctx, Views.wrap("region", Views.region(Http.baseUrl(ctx), updated)));
    }

    /** Deletes the region and its child regions, unless any of them still has endpoints (Keystone answers 403). */
    private void deleteRegion(Context ctx) {
        Region region = requireRegion(ctx.pathParam("region_id"));
        List<String> tree = subtree(region.id());
        boolean hasEndpoints = stores.catalog().endpoints().stream()
                .anyMatch(e -> e.regionId() != null && tree.contains(e.regionId()));
        if (hasEndpoints) {
            throw ApiException.forbidden("Unable to delete region %s because it or its child regions have associated endpoints.",
                    region.id());
        }
        stores.catalog().deleteRegions(tree.reversed());
        Http.noContent(ctx);
    }

    private static String parentRegion(ObjectNode body) {
        String parent = Body.optionalString(body, "parent_region_id", 255);
        if (parent != null && parent.isEmpty()) {
            throw Body.invalid("parent_region_id", "'' is too short");
        }
        return parent;
    }

    private Region requireRegion(String id) {
        return stores.catalog().region(id).orElseThrow(() -> ApiException.notFound("Could not find region: %s.", id));
    }

    /** The region and its ancestors, stopping at a loop. */
    private Set<String> ancestorsAndSelf(String id) {
        Set<String> seen = new HashSet<>();
        String current = id;
        while (current != null && seen.add(current)) {
            current = stores.catalog().region(current).map(Region::parentRegionId).orElse(null);
        }
        return seen;
    }

    /** The region and all regions below it, parents before children. */
    private List<String> subtree(String id) {
        List<Region> all = stores.catalog().regions();
        List<String> out = new ArrayList<>(List.of(id));
        for (int i = 0; i < out.size(); i++) {
            String parent = out.get(i);
            all.stream().filter(r -> parent.equals(r.parentRegionId()) && !out.contains(r.id())).forEach(r -> out.add(r.id()));
        }
        return out;
    }

    // Services

    private void listServices(Context ctx) {
        String base = Http.baseUrl(ctx);
        List<ObjectNode> services = stores.catalog().services().stream().map(s -> Views.service(base, s)).toList();
        Lists.answer(ctx, "services", Filters.apply(ctx, services, Set.of("type", "name")));
    }

    private void createService(Context ctx) {
        ObjectNode body = Body.resource(ctx, "service");
        String type = Body.requiredString(body, "type", 255);
        ObjectNode extra = Body.extra(body, SERVICE_KNOWN);
        if (body.has("name")) {
            extra.put("name", name(body));
        } else {
            extra.put("name", "");
        }
        CatalogService service = new CatalogService(Ids.newId(), type, Body.bool(body, "enabled", true), extra);
        stores.catalog().createService(service);
        Http.json(ctx, 201, Views.wrap("service", Views.service(Http.baseUrl(ctx), service)));
    }

    private void showService(Context ctx) {
        Http.json(ctx, Views.wrap("service", Views.service(Http.baseUrl(ctx), requireService(ctx.pathParam("service_id")))));
    }

    private void updateService(Context ctx) {
        CatalogService service = requireService(ctx.pathParam("service_id"));
        ObjectNode body = updateBody(ctx, "service", service.id());
        String type = body.has("type") ? Body.requiredString(body, "type", 255) : service.type();
        if (body.has("name")) {
            name(body);
        }
        CatalogService updated = new CatalogService(service.id(), type, Body.bool(body, "enabled", service.enabled()),
                Body.mergeExtra(service.extra(), body, SERVICE_KNOWN));
        stores.catalog().updateService(updated);
        Http.json(ctx, Views.wrap("service", Views.service(Http.baseUrl(ctx), updated)));
    }

    /** Deleting a service deletes its endpoints too, as in Keystone. */
    private void deleteService(Context ctx) {
        CatalogService service = requireService(ctx.pathParam("service_id"));
        stores.catalog().deleteService(service.id());
        Http.noContent(ctx);
    }

    /** A service name is 1 to 255 characters when given. */
    private static String name(ObjectNode body) {
        String name = Body.optionalString(body, "name", 255);
        if (name == null || name.isEmpty()) {
            throw Body.invalid("name", body.get("name") + " is not a non-empty string");
        }
        return name;
    }

    private CatalogService requireService(String id) {
        return stores.catalog().service(id).orElseThrow(() -> ApiException.notFound("Could not find service: %s.", id));
    }

    // Endpoints

    private void listEndpoints(Context ctx) {
        String face = ctx.queryParam("interface");
        if (face != null && !INTERFACES.contains(face)) {
            throw Body.invalid("interface", "'" + face + "' is not one of " + INTERFACES_TEXT);
        }
        String base = Http.baseUrl(ctx);
        List<ObjectNode> endpoints = stores.catalog().endpoints().stream().map(e -> Views.endpoint(base, e)).toList();
        Lists.answer(ctx, "endpoints", Filters.apply(ctx, endpoints, Set.of("interface", "service_id", "region_id")));
    }

    private void createEndpoint(Context ctx) {
        ObjectNode body = Body.resource(ctx, "endpoint");
        String face = endpointInterface(body);
        String serviceId = requireServiceRef(Body.requiredString(body, "service_id", 64));
        String url = url(body);
        boolean enabled = Body.bool(body, "enabled", true);
        String regionId = endpointRegion(body, null);
        Endpoint endpoint = new Endpoint(Ids.newId(), serviceId, face, regionId, url, enabled, Body.extra(body, ENDPOINT_KNOWN));
        stores.catalog().createEndpoint(endpoint);
        Http.json(ctx, 201, Views.wrap("endpoint", Views.endpoint(Http.baseUrl(ctx), endpoint)));
    }

    private void showEndpoint(Context ctx) {
        Http.json(ctx, Views.wrap("endpoint", Views.endpoint(Http.baseUrl(ctx), requireEndpoint(ctx.pathParam("endpoint_id")))));
    }

    private void updateEndpoint(Context ctx) {
        Endpoint endpoint = requireEndpoint(ctx.pathParam("endpoint_id"));
        ObjectNode body = updateBody(ctx, "endpoint", endpoint.id());
        String face = body.has("interface") ? endpointInterface(body) : endpoint.interfaceName();
        String serviceId = body.has("service_id") ? requireServiceRef(Body.requiredString(body, "service_id", 64))
                : endpoint.serviceId();
        String url = body.has("url") ? url(body) : endpoint.url();
        boolean enabled = Body.bool(body, "enabled", endpoint.enabled());
        String regionId = endpointRegion(body, endpoint.regionId());
        Endpoint updated = new Endpoint(endpoint.id(), serviceId, face, regionId, url, enabled,
                Body.mergeExtra(endpoint.extra(), body, ENDPOINT_KNOWN));
        stores.catalog().updateEndpoint(updated);
        Http.json(ctx, Views.wrap("endpoint", Views.endpoint(Http.baseUrl(ctx), updated)));
    }

    private void deleteEndpoint(Context ctx) {
        Endpoint endpoint = requireEndpoint(ctx.pathParam("endpoint_id"));
        stores.catalog().deleteEndpoint(endpoint.id());
        Http.noContent(ctx);
    }

    private static String endpointInterface(ObjectNode body) {
        String face = Body.requiredString(body, "interface", 255);
        if (!INTERFACES.contains(face)) {
            throw Body.invalid("interface", "'" + face + "' is not one of " + INTERFACES_TEXT);
        }
        return face;
    }

    /**
     * The region of an endpoint: region_id, which must exist, or else the pre-v3.2 "region"
     * attribute, whose region Keystone creates when it does not exist yet so that old clients keep
     * working. Called after every other check, so a bad request creates no region.
     */
    private String endpointRegion(ObjectNode body, String current) {
        if (body.has("region_id")) {
            String regionId = Body.optionalString(body, "region_id", 255);
            if (regionId != null && stores.catalog().region(regionId).isEmpty()) {
                throw ApiException.badRequest("Expecting to find endpoint region_id in region table. " + CLIENT_ERROR);
            }
            if (regionId != null || !body.hasNonNull("region")) {
                return regionId;
            }
        }
        if (body.hasNonNull("region")) {
            String legacy = Body.optionalString(body, "region", 255);
            if (stores.catalog().region(legacy).isEmpty()) {
                stores.catalog().createRegion(new Region(legacy, "", null, Json.object()));
            }
            return legacy;
        }
        return current;
    }

    private static String url(ObjectNode body) {
        String url = Body.requiredString(body, "url", 225);
        if (!URL.matcher(url).find()) {
            throw Body.invalid("url", "'" + url + "' does not match '" + URL.pattern() + "'");
        }
        Matcher m = SUBSTITUTION.matcher(url);
        while (m.find()) {
            if (!URL_SUBSTITUTIONS.contains(m.group(1))) {
                throw ApiException.badRequest("Cannot create an endpoint with an invalid URL: %s.", url);
            }
        }
        return url;
    }

    /** Keystone answers a reference to a missing service (or region) with 400, not 404. */
    private String requireServiceRef(String serviceId) {
        if (stores.catalog().service(serviceId).isEmpty()) {
            throw ApiException.badRequest("Expecting to find endpoint service_id in service table. " + CLIENT_ERROR);
        }
        return serviceId;
    }

    private Endpoint requireEndpoint(String id) {
        return stores.catalog().endpoint(id).orElseThrow(() -> ApiException.notFound("Could not find endpoint: %s.", id));
    }

    // Shared

    /** A PATCH body: at least one attribute, and an id only if it is the one of the path. */
    private static ObjectNode updateBody(Context ctx, String key, String id) {
        ObjectNode body = Body.resource(ctx, key);
        if (body.isEmpty()) {
            throw Body.invalid(key, "{} does not have enough properties");
        }
        if (body.hasNonNull("id") && !body.get("id").asText().equals(id)) {
            throw ApiException.badRequest("Cannot change ID");
        }
        return body;
    }

}
