package org.nubes.identity.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.identity.api.KeystoneAssertions.ids;
import static org.nubes.identity.api.KeystoneAssertions.texts;
import static org.nubes.identity.api.KeystoneAssertions.wrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;

/** /v3/regions, /v3/services and /v3/endpoints through HTTP. */
class CatalogApiTest extends IdentityApiTestBase {
    private static ApiClient member;

    @BeforeAll
    static void start() {
        server.projectWithUser("catalog-project", "catalog-member", "member-secret", "member");
        member = admin.as(server.token("catalog-member", "member-secret", "catalog-project"));
    }

    // Regions

    @Test
    void createsShowsUpdatesAndDeletesARegion() {
        ApiClient.Response created = admin.post("/v3/regions", region("r-crud", "first", null));
        assertThat(created.status()).isEqualTo(201);
        JsonNode region = created.json().path("region");
        assertThat(region.path("id").asText()).isEqualTo("r-crud");
        assertThat(region.path("description").asText()).isEqualTo("first");
        assertThat(region.has("parent_region_id")).isTrue();
        assertThat(region.path("parent_region_id").isNull()).isTrue();
        assertThat(region.path("links").path("self").asText()).endsWith("/v3/regions/r-crud");

        assertThat(admin.get("/v3/regions/r-crud").json().path("region").path("description").asText()).isEqualTo("first");

        ApiClient.Response patched = admin.patch("/v3/regions/r-crud", wrap("region", Json.object().put("description", "second")));
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().path("region").path("description").asText()).isEqualTo("second");

        assertThat(admin.delete("/v3/regions/r-crud").status()).isEqualTo(204);
        ApiClient.Response gone = admin.get("/v3/regions/r-crud");
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().path("error").path("message").asText()).isEqualTo("Could not find region: r-crud.");
    }

    @Test
    void generatesAnIdWhenNoneIsGivenAndCreatesWithTheIdOfAPut() {
        ApiClient.Response generated = admin.post("/v3/regions", wrap("region", Json.object().put("description", "no id")));
        assertThat(generated.status()).isEqualTo(201);
        assertThat(generated.json().path("region").path("id").asText()).matches("[0-9a-f]{32}");

        ApiClient.Response put = admin.put("/v3/regions/r-put", wrap("region", Json.object()));
        assertThat(put.status()).isEqualTo(201);
        assertThat(put.json().path("region").path("id").asText()).isEqualTo("r-put");
        assertThat(put.json().path("region").path("description").asText()).isEmpty();

        assertThat(admin.put("/v3/regions/r-put2", region("other", null, null)).status()).isEqualTo(400);
        assertThat(admin.put("/v3/regions/r-put", wrap("region", Json.object())).status()).isEqualTo(409);
    }

    @Test
    void rejectsDuplicatesBadInputAndUnknownParents() {
        assertThat(admin.post("/v3/regions", region("r-dup", null, null)).status()).isEqualTo(201);
        ApiClient.Response duplicate = admin.post("/v3/regions", region("r-dup", null, null));
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().path("error").path("message").asText()).contains("Duplicate ID, r-dup");

        assertThat(admin.post("/v3/regions", "{not json").status()).isEqualTo(400);
        assertThat(admin.post("/v3/regions", Json.object().put("description", "unwrapped")).status()).isEqualTo(400);
        assertThat(admin.post("/v3/regions", wrap("region", Json.object().put("description", 7))).status()).isEqualTo(400);

        ApiClient.Response orphan = admin.post("/v3/regions", region("r-orphan", null, "r-missing"));
        assertThat(orphan.status()).isEqualTo(404);
        assertThat(orphan.json().path("error").path("message").asText()).isEqualTo("Could not find region: r-missing.");
        assertThat(admin.get("/v3/regions/r-orphan").status()).isEqualTo(404);
    }

    @Test
    void listsRegionsByParentAndRefusesCircles() {
        admin.post("/v3/regions", region("r-top", null, null));
        admin.post("/v3/regions", region("r-mid", null, "r-top"));
        admin.post("/v3/regions", region("r-low", null, "r-mid"));

        assertThat(ids(admin.get("/v3/regions?parent_region_id=r-top").json().path("regions"))).containsExactly("r-mid");
        assertThat(ids(admin.get("/v3/regions").json().path("regions"))).contains("r-top", "r-mid", "r-low");

        ApiClient.Response circle = admin.patch("/v3/regions/r-top", wrap("region", Json.object().put("parent_region_id", "r-low")));
        assertThat(circle.status()).isEqualTo(400);
        assertThat(circle.json().path("error").path("message").asText()).contains("circular region hierarchy");
        assertThat(admin.patch("/v3/regions/r-top", wrap("region", Json.object().put("parent_region_id", "r-nope"))).status())
                .isEqualTo(404);
        assertThat(admin.patch("/v3/regions/r-top", wrap("region", Json.object())).status()).isEqualTo(400);
        assertThat(admin.patch("/v3/regions/r-top", wrap("region", Json.object().put("id", "r-else"))).status()).isEqualTo(400);
        assertThat(admin.patch("/v3/regions/r-none", wrap("region", Json.object().put("description", "x"))).status()).isEqualTo(404);
    }

    @Test
    void deletingARegionDeletesItsChildrenUnlessOneHasEndpoints() {
        admin.post("/v3/regions", region("r-parent", null, null));
        admin.post("/v3/regions", region("r-child", null, "r-parent"));
        String service = createService("region-test", "regiontest");
        String endpoint = admin.post("/v3/endpoints", endpoint(service, "public", "r-child", "http://r.example/v1"))
                .json().path("endpoint").path("id").asText();

        ApiClient.Response refused = admin.delete("/v3/regions/r-parent");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().path("error").path("message").asText())
                .isEqualTo("Unable to delete region r-parent because it or its child regions have associated endpoints.");

        assertThat(admin.delete("/v3/endpoints/" + endpoint).status()).isEqualTo(204);
        assertThat(admin.delete("/v3/regions/r-parent").status()).isEqualTo(204);
        assertThat(admin.get("/v3/regions/r-child").status()).isEqualTo(404);
        assertThat(admin.delete("/v3/regions/r-parent").status()).isEqualTo(404);
    }

    @Test
    void anyoneWithATokenReadsRegionsButOnlyAdminsWriteThem() {
        assertThat(server.anonymous().get("/v3/regions").status()).isEqualTo(401);
        assertThat(member.get("/v3/regions").status()).isEqualTo(200);
        assertThat(member.post("/v3/regions", region("r-member", null, null)).status()).isEqualTo(403);
        assertThat(member.put("/v3/regions/r-member", wrap("region", Json.object())).status()).isEqualTo(403);
        admin.post("/v3/regions", region("r-guarded", null, null));
        assertThat(member.patch("/v3/regions/r-guarded", wrap("region", Json.object().put("description", "x"))).status())
                .isEqualTo(403);
        assertThat(member.delete("/v3/regions/r-guarded").status()).isEqualTo(403);
    }

    // Services

    @Test
    void createsShowsUpdatesAndDeletesAService() {
        ObjectNode body = Json.object();
        body.putObject("service").put("type", "compute-crud").put("name", "nova2").put("description", "Compute 2");
        ApiClient.Response created = admin.post("/v3/services", body);
        assertThat(created.status()).isEqualTo(201);
        JsonNode service = created.json().path("service");
        String id = service.path("id").asText();
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(service.path("type").asText()).isEqualTo("compute-crud");
        assertThat(service.path("name").asText()).isEqualTo("nova2");
        assertThat(service.path("description").asText()).isEqualTo("Compute 2");
        assertThat(service.path("enabled").asBoolean()).isTrue();
        assertThat(service.path("links").path("self").asText()).endsWith("/v3/services/" + id);

        assertThat(admin.get("/v3/services/" + id).json().path("service").path("name").asText()).isEqualTo("nova2");

        ApiClient.Response patched = admin.patch("/v3/services/" + id,
                wrap("service", Json.object().put("name", "nova3").put("enabled", false)));
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().path("service").path("name").asText()).isEqualTo("nova3");
        assertThat(patched.json().path("service").path("enabled").asBoolean()).isFalse();
        assertThat(patched.json().path("service").path("description").asText()).isEqualTo("Compute 2");

        assertThat(admin.delete("/v3/services/" + id).status()).isEqualTo(204);
        ApiClient.Response gone = admin.get("/v3/services/" + id);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().path("error").path("message").asText()).isEqualTo("Could not find service: " + id + ".");
    }

    @Test
    void listsServicesByTypeAndName() {
        String one = createService("listed-one", "list-type");
        String two = createService("listed-two", "list-type");
        createService("listed-three", "other-type");
        assertThat(ids(admin.get("/v3/services?type=list-type").json().path("services"))).containsExactlyInAnyOrder(one, two);
        assertThat(ids(admin.get("/v3/services?name=listed-two").json().path("services"))).containsExactly(two);
        // the bootstrap catalog is there too
        assertThat(admin.get("/v3/services?type=identity").json().path("services").size()).isEqualTo(1);
    }

    @Test
    void rejectsBadServicesAndUnknownIds() {
        assertThat(admin.post("/v3/services", wrap("service", Json.object().put("name", "typeless"))).status()).isEqualTo(400);
        assertThat(admin.post("/v3/services", wrap("service", Json.object().put("type", ""))).status()).isEqualTo(400);
        assertThat(admin.post("/v3/services", wrap("service", Json.object().put("type", "t").put("enabled", "yes"))).status())
                .isEqualTo(400);
        assertThat(admin.post("/v3/services", wrap("service", Json.object().put("type", "t").put("name", ""))).status())
                .isEqualTo(400);
        String id = createService("bad-updates", "bad-type");
        assertThat(admin.patch("/v3/services/" + id, wrap("service", Json.object())).status()).isEqualTo(400);
        assertThat(admin.patch("/v3/services/" + id, wrap("service", Json.object().put("type", 3))).status()).isEqualTo(400);
        assertThat(admin.patch("/v3/services/" + id, wrap("service", Json.object().put("id", "other"))).status()).isEqualTo(400);
        assertThat(admin.patch("/v3/services/nope", wrap("service", Json.object().put("type", "x"))).status()).isEqualTo(404);
        assertThat(admin.delete("/v3/services/nope").status()).isEqualTo(404);
    }

    @Test
    void deletingAServiceDeletesItsEndpoints() {
        String service = createService("doomed", "doomed-type");
        String endpoint = admin.post("/v3/endpoints", endpoint(service, "public", null, "http://doomed.example"))
                .json().path("endpoint").path("id").asText();
        assertThat(admin.delete("/v3/services/" + service).status()).isEqualTo(204);
        assertThat(admin.get("/v3/endpoints/" + endpoint).status()).isEqualTo(404);
    }

    @Test
    void onlyAdminsManageServices() {
        assertThat(server.anonymous().get("/v3/services").status()).isEqualTo(401);
        assertThat(member.get("/v3/services").status()).isEqualTo(403);
        assertThat(member.post("/v3/services", wrap("service", Json.object().put("type", "x"))).status()).isEqualTo(403);
        String id = createService("guarded", "guarded-type");
        assertThat(member.get("/v3/services/" + id).status()).isEqualTo(403);
        assertThat(member.patch("/v3/services/" + id, wrap("service", Json.object().put("name", "x"))).status()).isEqualTo(403);
        assertThat(member.delete("/v3/services/" + id).status()).isEqualTo(403);
    }

    // Endpoints

    @Test
    void createsShowsUpdatesAndDeletesAnEndpoint() {
        admin.post("/v3/regions", region("r-ep", null, null));
        String service = createService("ep-crud", "ep-crud-type");
        ApiClient.Response created = admin.post("/v3/endpoints", endpoint(service, "internal", "r-ep", "http://ep.example:8080/v1"));
        assertThat(created.status()).isEqualTo(201);
        JsonNode endpoint = created.json().path("endpoint");
        String id = endpoint.path("id").asText();
        assertThat(endpoint.path("interface").asText()).isEqualTo("internal");
        assertThat(endpoint.path("service_id").asText()).isEqualTo(service);
        assertThat(endpoint.path("region_id").asText()).isEqualTo("r-ep");
        assertThat(endpoint.path("region").asText()).isEqualTo("r-ep");
        assertThat(endpoint.path("url").asText()).isEqualTo("http://ep.example:8080/v1");
        assertThat(endpoint.path("enabled").asBoolean()).isTrue();
        assertThat(endpoint.path("links").path("self").asText()).endsWith("/v3/endpoints/" + id);

        assertThat(admin.get("/v3/endpoints/" + id).json().path("endpoint").path("url").asText()).isEqualTo("http://ep.example:8080/v1");

        ApiClient.Response patched = admin.patch("/v3/endpoints/" + id,
                wrap("endpoint", Json.object().put("url", "https://ep.example/v2").put("interface", "public").put("enabled", false)));
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().path("endpoint").path("url").asText()).isEqualTo("https://ep.example/v2");
        assertThat(patched.json().path("endpoint").path("interface").asText()).isEqualTo("public");
        assertThat(patched.json().path("endpoint").path("enabled").asBoolean()).isFalse();
        assertThat(patched.json().path("endpoint").path("region_id").asText()).isEqualTo("r-ep");

        assertThat(admin.delete("/v3/endpoints/" + id).status()).isEqualTo(204);
        ApiClient.Response gone = admin.get("/v3/endpoints/" + id);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().path("error").path("message").asText()).isEqualTo("Could not find endpoint: " + id + ".");
        assertThat(admin.delete("/v3/endpoints/" + id).status()).isEqualTo(404);
    }

    @Test
    void rejectsBadEndpointsWithoutLeavingAnythingBehind() {
        String service = createService("ep-bad", "ep-bad-type");
        assertThat(admin.post("/v3/endpoints", endpoint(service, "private", null, "http://x.example")).status()).isEqualTo(400);
        assertThat(admin.post("/v3/endpoints", endpoint(service, "public", null, "not a url")).status()).isEqualTo(400);
        assertThat(admin.post("/v3/endpoints", endpoint(service, "public", null, "http://x.example/$(secret)s")).status())
                .isEqualTo(400);
        assertThat(admin.post("/v3/endpoints", endpoint(service, "public", null, "http://x.example/$(project_id)s")).status())
                .isEqualTo(201);
        ApiClient.Response noService = admin.post("/v3/endpoints", endpoint("missing", "public", null, "http://x.example"));
        assertThat(noService.status()).isEqualTo(400);
        assertThat(noService.json().path("error").path("message").asText()).startsWith("Expecting to find endpoint service_id");
        assertThat(admin.post("/v3/endpoints", endpoint(service, "public", "r-missing", "http://x.example")).status()).isEqualTo(400);
        ObjectNode noUrl = endpoint(service, "public", null, "http://x.example");
        ((ObjectNode) noUrl.get("endpoint")).remove("url");
        assertThat(admin.post("/v3/endpoints", noUrl).status()).isEqualTo(400);

        // a legacy "region" of a request that fails for another reason creates no region
        ObjectNode legacy = endpoint("missing", "public", null, "http://x.example");
        ((ObjectNode) legacy.get("endpoint")).put("region", "r-legacy-bad");
        assertThat(admin.post("/v3/endpoints", legacy).status()).isEqualTo(400);
        assertThat(admin.get("/v3/regions/r-legacy-bad").status()).isEqualTo(404);

        String id = admin.post("/v3/endpoints", endpoint(service, "admin", null, "http://x.example")).json().path("endpoint").path("id").asText();
        assertThat(admin.patch("/v3/endpoints/" + id, wrap("endpoint", Json.object().put("interface", "nope"))).status()).isEqualTo(400);
        assertThat(admin.patch("/v3/endpoints/" + id, wrap("endpoint", Json.object().put("service_id", "missing"))).status())
                .isEqualTo(400);
        assertThat(admin.patch("/v3/endpoints/" + id, wrap("endpoint", Json.object())).status()).isEqualTo(400);
        assertThat(admin.patch("/v3/endpoints/missing", wrap("endpoint", Json.object().put("url", "http://y"))).status()).isEqualTo(404);
    }

    @Test
    void theLegacyRegionAttributeCreatesTheRegion() {
        String service = createService("ep-legacy", "ep-legacy-type");
        ObjectNode body = endpoint(service, "public", null, "http://legacy.example");
        ((ObjectNode) body.get("endpoint")).put("region", "r-legacy");
        ApiClient.Response created = admin.post("/v3/endpoints", body);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("endpoint").path("region_id").asText()).isEqualTo("r-legacy");
        assertThat(admin.get("/v3/regions/r-legacy").status()).isEqualTo(200);
    }

    @Test
    void listsEndpointsByInterfaceServiceAndRegion() {
        admin.post("/v3/regions", region("r-list", null, null));
        String service = createService("ep-list", "ep-list-type");
        String pub = admin.post("/v3/endpoints", endpoint(service, "public", "r-list", "http://l.example")).json().path("endpoint").path("id").asText();
        String internal = admin.post("/v3/endpoints", endpoint(service, "internal", null, "http://l.example")).json().path("endpoint").path("id").asText();

        assertThat(ids(admin.get("/v3/endpoints?service_id=" + service).json().path("endpoints"))).containsExactlyInAnyOrder(pub, internal);
        assertThat(ids(admin.get("/v3/endpoints?service_id=" + service + "&interface=internal").json().path("endpoints")))
                .containsExactly(internal);
        assertThat(ids(admin.get("/v3/endpoints?region_id=r-list").json().path("endpoints"))).containsExactly(pub);
        assertThat(admin.get("/v3/endpoints?interface=sideways").status()).isEqualTo(400);
    }

    @Test
    void onlyAdminsManageEndpoints() {
        String service = createService("ep-guard", "ep-guard-type");
        String id = admin.post("/v3/endpoints", endpoint(service, "public", null, "http://g.example")).json().path("endpoint").path("id").asText();
        assertThat(server.anonymous().get("/v3/endpoints").status()).isEqualTo(401);
        assertThat(member.get("/v3/endpoints").status()).isEqualTo(403);
        assertThat(member.get("/v3/endpoints/" + id).status()).isEqualTo(403);
        assertThat(member.post("/v3/endpoints", endpoint(service, "public", null, "http://g.example")).status()).isEqualTo(403);
        assertThat(member.patch("/v3/endpoints/" + id, wrap("endpoint", Json.object().put("url", "http://h"))).status()).isEqualTo(403);
        assertThat(member.delete("/v3/endpoints/" + id).status()).isEqualTo(403);
    }

    @Test
    void aNewEndpointShowsInTheCatalogOfNewTokens() {
        String service = createService("in-catalog", "catalog-type");
        admin.post("/v3/endpoints", endpoint(service, "public", null, "http://catalog.example/v1"));
        JsonNode catalog = member.get("/v3/auth/catalog").json().path("catalog");
        assertThat(texts(catalog, "type")).contains("catalog-type");
    }

    private static String createService(String name, String type) {
        ObjectNode body = Json.object();
        body.putObject("service").put("type", type).put("name", name);
        ApiClient.Response r = admin.post("/v3/services", body);
        assertThat(r.status()).isEqualTo(201);
        return r.json().path("service").path("id").asText();
    }

    private static ObjectNode region(String id, String description, String parent) {
        ObjectNode region = Json.object();
        if (id != null) {
            region.put("id", id);
        }
        if (description != null) {
            region.put("description", description);
        }
        if (parent != null) {
            region.put("parent_region_id", parent);
        }
        return wrap("region", region);
    }

    private static ObjectNode endpoint(String service, String face, String region, String url) {
        ObjectNode endpoint = Json.object().put("service_id", service).put("interface", face).put("url", url);
        if (region != null) {
            endpoint.put("region_id", region);
        }
        return wrap("endpoint", endpoint);
    }
}
