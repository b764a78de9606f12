package org.nubes.compute;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nubes.core.http.HttpService;
import org.nubes.core.json.Json;
import org.nubes.core.testing.ApiClient;
import org.nubes.core.testing.ApiSamples;
import org.nubes.core.testing.RouteTables;

/** Flavors through HTTP: Nova's defaults, views per microversion, management, extra specs and access lists. */
class FlavorApiTest {
    private static ComputeTestServer cloud;
    private static ApiClient admin;
    private static ComputeTestServer.Project alpha;
    private static ComputeTestServer.Project beta;

    @BeforeAll
    static void start() {
        cloud = new ComputeTestServer();
        admin = cloud.admin();
        alpha = cloud.project("flavor-alpha", "member");
        beta = cloud.project("flavor-beta", "member");
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    private static ApiClient.Response get(ApiClient client, String path, String version) {
        return client.send("GET", path, null, "OpenStack-API-Version", "compute " + version);
    }

    private static ApiClient.Response post(ApiClient client, String path, Object body, String version) {
        return client.send("POST", path, body, "OpenStack-API-Version", "compute " + version);
    }

    private static ObjectNode flavor(String id, String name, int ram, int vcpus, int disk) {
        ObjectNode body = Json.object();
        ObjectNode f = body.putObject("flavor").put("name", name).put("ram", ram).put("vcpus", vcpus).put("disk", disk);
        if (id != null) {
            f.put("id", id);
        }
        return body;
    }

    private static String create(ObjectNode body) {
        ApiClient.Response r = admin.post("/v2.1/flavors", body);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json().path("flavor").path("id").asText();
    }

    private static List<String> ids(JsonNode flavors) {
        List<String> ids = new ArrayList<>();
        flavors.forEach(f -> ids.add(f.path("id").asText()));
        return ids;
    }

    @Test
    void everyRouteDeclaresItsAccess() {
        var settings = new HttpService.Settings("127.0.0.1", 1 << 20, token -> {
            throw new IllegalStateException("not called");
        }, null);
        var table = RouteTables.assertEveryRouteDeclaresAccess(new HttpService(cloud.http().service(), settings));
        assertThat(table.stream().map(r -> r.method() + " " + r.path())).contains("GET /v2.1/flavors/detail",
                "POST /v2.1/flavors/{flavor_id}/action", "DELETE /v2.1/os-keypairs/{keypair_name}",
                "PUT /v2.1/os-quota-sets/{project_id}", "GET /v2.1/limits");
    }

    @Test
    void novaDefaultFlavorsAreThereWithNovaViews() {
        ApiClient.Response list = alpha.client().get("/v2.1/flavors");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.header("OpenStack-API-Version")).isEqualTo("compute 2.1");
        ApiSamples.assertMatches("compute/flavor-list", list.json());
        assertThat(ids(list.json().path("flavors"))).contains("1", "2", "3", "4", "5");

        for (String version : List.of("2.1", "2.53")) {
            ApiClient.Response shown = get(alpha.client(), "/v2.1/flavors/1", version);
            assertThat(shown.status()).isEqualTo(200);
            ApiSamples.assertMatches("compute/flavor-show", shown.json());
            ApiSamples.assertMatches("compute/flavor-detail", get(alpha.client(), "/v2.1/flavors/detail", version).json());
        }
        JsonNode tiny = alpha.client().get("/v2.1/flavors/1").json().path("flavor");
        JsonNode links = tiny.path("links");
        assertThat(links.get(0).path("rel").asText()).isEqualTo("self");
        assertThat(links.get(0).path("href").asText()).isEqualTo(cloud.url() + "/v2.1/flavors/1");
        assertThat(links.get(1).path("rel").asText()).isEqualTo("bookmark");
        assertThat(links.get(1).path("href").asText()).isEqualTo(cloud.url() + "/flavors/1");

        JsonNode xlarge = alpha.client().get("/v2.1/flavors/5").json().path("flavor");
        assertThat(xlarge.path("name").asText()).isEqualTo("m1.xlarge");
        assertThat(xlarge.path("vcpus").asInt()).isEqualTo(8);
        assertThat(xlarge.path("ram").asInt()).isEqualTo(16384);
        assertThat(xlarge.path("disk").asInt()).isEqualTo(160);

        ApiClient.Response missing = alpha.client().get("/v2.1/flavors/nope");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().path("itemNotFound").path("message").asText()).isEqualTo("Flavor nope could not be found.");
        assertThat(cloud.anonymous().get("/v2.1/flavors").status()).isEqualTo(401);
    }

    @Test
    void adminCreatesAndDeletesFlavors() {
        ObjectNode body = flavor("10", "test_flavor", 1024, 2, 10);
        ((ObjectNode) body.path("flavor")).put("OS-FLV-EXT-DATA:ephemeral", 5).put("swap", 512).put("rxtx_factor", 2.0)
                .put("os-flavor-access:is_public", false);
        ApiClient.Response made = admin.post("/v2.1/flavors", body);
        assertThat(made.status()).as(made.text()).isEqualTo(200);
        ApiSamples.assertMatches("compute/flavor-create", made.json());
        assertThat(admin.get("/v2.1/flavors/10").json()).isEqualTo(made.json());

        ApiClient.Response sameId = admin.post("/v2.1/flavors", flavor("10", "other-name", 1, 1, 0));
        assertThat(sameId.status()).isEqualTo(409);
        assertThat(sameId.json().path("conflictingRequest").path("message").asText())
                .isEqualTo("Flavor with ID 10 already exists.");
        ApiClient.Response sameName = admin.post("/v2.1/flavors", flavor("11", "test_flavor", 1, 1, 0));
        assertThat(sameName.status()).isEqualTo(409);
        assertThat(sameName.json().path("conflictingRequest").path("message").asText())
                .isEqualTo("Flavor with name test_flavor already exists.");

        String generated = create(flavor(null, "auto-id", 64, 1, 0));
        assertThat(generated).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        ObjectNode numeric = flavor(null, "numeric-id", 64, 1, 0);
        ((ObjectNode) numeric.path("flavor")).put("id", 4242);
        assertThat(create(numeric)).isEqualTo("4242");
        ObjectNode strings = flavor("strings", "string-sizes", 0, 0, 0);
        ((ObjectNode) strings.path("flavor")).put("ram", "128").put("vcpus", "2").put("disk", "0")
                .put("os-flavor-access:is_public", "true");
        create(strings);
        JsonNode shown = admin.get("/v2.1/flavors/strings").json().path("flavor");
        assertThat(shown.path("ram").asInt()).isEqualTo(128);
        assertThat(shown.path("swap").asText()).isEmpty();
        assertThat(shown.path("os-flavor-access:is_public").asBoolean()).isTrue();

        assertThat(alpha.client().post("/v2.1/flavors", flavor("x", "x", 1, 1, 1)).status()).isEqualTo(403);
        // The description (and PUT) came with 2.55.
        ApiClient.Response described = admin.put("/v2.1/flavors/strings",
                Json.object().set("flavor", Json.object().put("description", "d")));
        assertThat(described.status()).isEqualTo(404);
        assertThat(alpha.client().delete("/v2.1/flavors/4242").status()).isEqualTo(403);
        assertThat(admin.delete("/v2.1/flavors/4242").status()).isEqualTo(202);
        assertThat(admin.get("/v2.1/flavors/4242").status()).isEqualTo(404);
        ApiClient.Response again = admin.delete("/v2.1/flavors/4242");
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.json().path("itemNotFound").path("message").asText()).isEqualTo("Flavor 4242 could not be found.");
    }

    @Test
    void badFlavorBodiesAre400AndCreateNothing() {
        List<ObjectNode> bad = new ArrayList<>();
        bad.add(flavor("b1", "b1", 0, 1, 1));
        bad.add(flavor("b2", "b2", 1, 0, 1));
        bad.add(flavor("b3", "b3", 1, 1, -1));
        bad.add(flavor("b4", " leading", 1, 1, 1));
        bad.add(flavor("b5", "", 1, 1, 1));
        bad.add(flavor("bad/id", "b6", 1, 1, 1));
        bad.add(flavor(" b7", "b7", 1, 1, 1));
        bad.add(flavor("b8", "x".repeat(256), 1, 1, 1));
        ObjectNode missingRam = flavor("b9", "b9", 1, 1, 1);
        ((ObjectNode) missingRam.path("flavor")).remove("ram");
        bad.add(missingRam);
        ObjectNode description = flavor("b10", "b10", 1, 1, 1);
        ((ObjectNode) description.path("flavor")).put("description", "not before 2.55");
        bad.add(description);
        ObjectNode rxtx = flavor("b11", "b11", 1, 1, 1);
        ((ObjectNode) rxtx.path("flavor")).put("rxtx_factor", 0);
        bad.add(rxtx);
        ObjectNode isPublic = flavor("b12", "b12", 1, 1, 1);
        ((ObjectNode) isPublic.path("flavor")).put("os-flavor-access:is_public", "maybe");
        bad.add(isPublic);
        ObjectNode floatRam = flavor("b13", "b13", 1, 1, 1);
        ((ObjectNode) floatRam.path("flavor")).put("ram", 1.5);
        bad.add(floatRam);
        ObjectNode hugeRam = flavor("b14", "b14", 1, 1, 1);
        ((ObjectNode) hugeRam.path("flavor")).put("ram", 2147483648L);
        bad.add(hugeRam);
        ObjectNode swap = flavor("b15", "b15", 1, 1, 1);
        ((ObjectNode) swap.path("flavor")).put("swap", -1);
        bad.add(swap);
        bad.add((ObjectNode) Json.object().set("flavors", flavor("b16", "b16", 1, 1, 1).path("flavor")));
        for (ObjectNode body : bad) {
            ApiClient.Response r = post(admin, "/v2.1/flavors", body, "2.53");
            assertThat(r.status()).as("%s -> %s", body, r.text()).isEqualTo(400);
            assertThat(r.json().path("badRequest").path("message").asText()).isNotBlank();
        }
        assertThat(admin.post("/v2.1/flavors", "{not json").status()).isEqualTo(400);
        List<String> all = ids(admin.get("/v2.1/flavors?is_public=none").json().path("flavors"));
        assertThat(all).noneMatch(id -> id.startsWith("b") && id.length() <= 3);
    }

    @Test
    void privateFlavorsAreSeenOnlyByProjectsGivenAccess() {
        ObjectNode body = flavor("private-1", "private-one", 256, 1, 1);
        ((ObjectNode) body.path("flavor")).put("os-flavor-access:is_public", false);
        create(body);

        assertThat(ids(alpha.client().get("/v2.1/flavors").json().path("flavors"))).doesNotContain("private-1");
        assertThat(alpha.client().get("/v2.1/flavors/private-1").status()).isEqualTo(404);
        assertThat(alpha.client().get("/v2.1/flavors/private-1/os-extra_specs").status()).isEqualTo(404);

        ApiClient.Response empty = admin.get("/v2.1/flavors/private-1/os-flavor-access");
        assertThat(empty.status()).isEqualTo(200);
        assertThat(empty.json().path("flavor_access").isEmpty()).isTrue();

        ObjectNode add = Json.object();
        add.putObject("addTenantAccess").put("tenant", alpha.id());
        assertThat(alpha.client().post("/v2.1/flavors/private-1/action", add).status()).isEqualTo(403);
        ApiClient.Response added = admin.post("/v2.1/flavors/private-1/action", add);
        assertThat(added.status()).as(added.text()).isEqualTo(200);
        assertThat(added.json().path("flavor_access").get(0).path("flavor_id").asText()).isEqualTo("private-1");
        assertThat(added.json().path("flavor_access").get(0).path("tenant_id").asText()).isEqualTo(alpha.id());
        ApiClient.Response twice = admin.post("/v2.1/flavors/private-1/action", add);
        assertThat(twice.status()).isEqualTo(409);
        assertThat(twice.json().path("conflictingRequest").path("message").asText()).isEqualTo(
                "Flavor access already exists for flavor private-1 and project " + alpha.id() + " combination.");

        assertThat(ids(alpha.client().get("/v2.1/flavors").json().path("flavors"))).contains("private-1");
        assertThat(alpha.client().get("/v2.1/flavors/private-1").status()).isEqualTo(200);
        assertThat(ids(beta.client().get("/v2.1/flavors").json().path("flavors"))).doesNotContain("private-1");
        assertThat(beta.client().get("/v2.1/flavors/private-1").status()).isEqualTo(404);
        assertThat(alpha.client().get("/v2.1/flavors/private-1/os-flavor-access").status()).isEqualTo(403);

        ObjectNode remove = Json.object();
        remove.putObject("removeTenantAccess").put("tenant", alpha.id());
        ApiClient.Response removed = admin.post("/v2.1/flavors/private-1/action", remove);
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.json().path("flavor_access").isEmpty()).isTrue();
        ApiClient.Response notThere = admin.post("/v2.1/flavors/private-1/action", remove);
        assertThat(notThere.status()).isEqualTo(404);
        assertThat(notThere.json().path("itemNotFound").path("message").asText())
                .isEqualTo("Flavor access not found for private-1 / " + alpha.id() + " combination.");
        assertThat(alpha.client().get("/v2.1/flavors/private-1").status()).isEqualTo(404);

        // Admins list private flavors with is_public=false or none; the default is public only.
        assertThat(ids(admin.get("/v2.1/flavors").json().path("flavors"))).doesNotContain("private-1");
        List<String> privateOnly = ids(admin.get("/v2.1/flavors?is_public=false").json().path("flavors"));
        assertThat(privateOnly).contains("private-1").doesNotContain("1");
        assertThat(ids(admin.get("/v2.1/flavors?is_public=none").json().path("flavors"))).contains("private-1", "1");
        assertThat(admin.get("/v2.1/flavors?is_public=sometimes").status()).isEqualTo(400);
        // Non-admins cannot widen their view with is_public.
        assertThat(ids(beta.client().get("/v2.1/flavors?is_public=none").json().path("flavors"))).doesNotContain("private-1");
    }

    @Test
    void accessListsOfPublicFlavorsAndBadActions() {
        ApiClient.Response publicList = admin.get("/v2.1/flavors/1/os-flavor-access");
        assertThat(publicList.status()).isEqualTo(404);
        assertThat(publicList.json().path("itemNotFound").path("message").asText())
                .isEqualTo("Access list not available for public flavors.");

        create(flavor("public-access", "public-access", 64, 1, 0));
        ObjectNode add = Json.object();
        add.putObject("addTenantAccess").put("tenant", beta.id());
        ApiClient.Response conflict = post(admin, "/v2.1/flavors/public-access/action", add, "2.7");
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.json().path("conflictingRequest").path("message").asText())
                .isEqualTo("Can not add access to a public flavor.");
        // Before 2.7 Nova records the access all the same.
        assertThat(post(admin, "/v2.1/flavors/public-access/action", add, "2.6").status()).isEqualTo(200);

        assertThat(admin.post("/v2.1/flavors/nope/action", add).status()).isEqualTo(404);
        ObjectNode noTenant = Json.object();
        noTenant.putObject("addTenantAccess");
        assertThat(admin.post("/v2.1/flavors/public-access/action", noTenant).status()).isEqualTo(400);
        ObjectNode unknown = Json.object();
        unknown.putObject("shareEverything").put("tenant", "x");
        assertThat(admin.post("/v2.1/flavors/public-access/action", unknown).status()).isEqualTo(400);
    }

    @Test
    void listsFilterSortAndPage() {
        create(flavor("page-a", "page-a", 100_001, 1, 500));
        create(flavor("page-b", "page-b", 100_002, 1, 600));
        create(flavor("page-c", "page-c", 100_003, 1, 700));

        List<String> big = ids(alpha.client().get("/v2.1/flavors?minRam=100001").json().path("flavors"));
        assertThat(big).containsExactly("page-a", "page-b", "page-c");
        assertThat(ids(alpha.client().get("/v2.1/flavors?minDisk=600").json().path("flavors")))
                .containsExactly("page-b", "page-c");
        assertThat(ids(alpha.client().get("/v2.1/flavors/detail?minRam=100001&sort_key=memory_mb&sort_dir=desc")
                .json().path("flavors"))).containsExactly("page-c", "page-b", "page-a");
        assertThat(alpha.client().get("/v2.1/flavors?minRam=lots").status()).isEqualTo(400);
        assertThat(alpha.client().get("/v2.1/flavors?sort_key=colour").status()).isEqualTo(400);
        assertThat(alpha.client().get("/v2.1/flavors?sort_dir=up").status()).isEqualTo(400);
        assertThat(alpha.client().get("/v2.1/flavors?limit=-1").status()).isEqualTo(400);

        ApiClient.Response first = alpha.client().get("/v2.1/flavors?minRam=100001&limit=2");
        ApiSamples.assertMatches("compute/flavor-list-paged", first.json());
        assertThat(ids(first.json().path("flavors"))).containsExactly("page-a", "page-b");
        String next = first.json().path("flavors_links").get(0).path("href").asText();
        assertThat(next).isEqualTo(cloud.url() + "/v2.1/flavors?limit=2&marker=page-b&minRam=100001");
        ApiClient.Response second = alpha.client().get(next.substring(cloud.url().length()));
        assertThat(ids(second.json().path("flavors"))).containsExactly("page-c");
        assertThat(second.json().has("flavors_links")).isFalse();

        ApiClient.Response detailPage = alpha.client().get("/v2.1/flavors/detail?minRam=100001&limit=1");
        assertThat(detailPage.json().path("flavors_links").get(0).path("href").asText())
                .isEqualTo(cloud.url() + "/v2.1/flavors/detail?limit=1&marker=page-a&minRam=100001");

        ApiClient.Response badMarker = alpha.client().get("/v2.1/flavors?marker=nope");
        assertThat(badMarker.status()).isEqualTo(400);
        assertThat(badMarker.json().path("badRequest").path("message").asText()).isEqualTo("marker [nope] not found");
        assertThat(alpha.client().get("/v2.1/flavors?limit=0").json().path("flavors").isEmpty()).isTrue();
    }

    @Test
    void extraSpecsAreSetReadAndDeleted() {
        create(flavor("specs", "with-specs", 64, 1, 0));
        ObjectNode specs = Json.object();
        specs.putObject("extra_specs").put("hw:cpu_policy", "shared").put("hw:numa_nodes", "1");
        assertThat(alpha.client().post("/v2.1/flavors/specs/os-extra_specs", specs).status()).isEqualTo(403);
        ApiClient.Response set = admin.post("/v2.1/flavors/specs/os-extra_specs", specs);
        assertThat(set.status()).as(set.text()).isEqualTo(200);
        assertThat(set.json()).isEqualTo(specs);

        ApiClient.Response listed = alpha.client().get("/v2.1/flavors/specs/os-extra_specs");
        assertThat(listed.status()).isEqualTo(200);
        ApiSamples.assertMatches("compute/flavor-extra-specs-list", listed.json());
        assertThat(alpha.client().get("/v2.1/flavors/specs/os-extra_specs/hw:numa_nodes").json())
                .isEqualTo(Json.object().put("hw:numa_nodes", "1"));

        ApiClient.Response updated = admin.put("/v2.1/flavors/specs/os-extra_specs/hw:numa_nodes",
                Json.object().put("hw:numa_nodes", 2));
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json()).isEqualTo(Json.object().put("hw:numa_nodes", 2));
        assertThat(alpha.client().get("/v2.1/flavors/specs/os-extra_specs/hw:numa_nodes").json())
                .isEqualTo(Json.object().put("hw:numa_nodes", "2"));
        ApiClient.Response mismatch = admin.put("/v2.1/flavors/specs/os-extra_specs/hw:numa_nodes",
                Json.object().put("hw:cpu_policy", "dedicated"));
        assertThat(mismatch.status()).isEqualTo(400);
        assertThat(mismatch.json().path("badRequest").path("message").asText()).isEqualTo("Request body and URI mismatch");
        assertThat(admin.put("/v2.1/flavors/specs/os-extra_specs/a", Json.object().put("a", "1").put("b", "2")).status())
                .isEqualTo(400);
        ObjectNode badKey = Json.object();
        badKey.putObject("extra_specs").put("bad/key", "1");
        assertThat(admin.post("/v2.1/flavors/specs/os-extra_specs", badKey).status()).isEqualTo(400);
        ObjectNode badValue = Json.object();
        badValue.putObject("extra_specs").putObject("nested");
        assertThat(admin.post("/v2.1/flavors/specs/os-extra_specs", badValue).status()).isEqualTo(400);
        assertThat(admin.post("/v2.1/flavors/nope/os-extra_specs", specs).status()).isEqualTo(404);

        assertThat(alpha.client().delete("/v2.1/flavors/specs/os-extra_specs/hw:cpu_policy").status()).isEqualTo(403);
        ApiClient.Response deleted = admin.delete("/v2.1/flavors/specs/os-extra_specs/hw:cpu_policy");
        assertThat(deleted.status()).isEqualTo(200);
        ApiClient.Response gone = admin.get("/v2.1/flavors/specs/os-extra_specs/hw:cpu_policy");
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().path("itemNotFound").path("message").asText())
                .isEqualTo("Flavor specs has no extra specs with key hw:cpu_policy.");
        assertThat(admin.delete("/v2.1/flavors/specs/os-extra_specs/hw:cpu_policy").status()).isEqualTo(404);
        assertThat(admin.get("/v2.1/flavors/specs/os-extra_specs").json().path("extra_specs"))
                .isEqualTo(Json.object().put("hw:numa_nodes", "2"));
        // Extra specs are not part of the flavor view before 2.61.
        assertThat(get(admin, "/v2.1/flavors/specs", "2.53").json().path("flavor").has("extra_specs")).isFalse();
    }
}
