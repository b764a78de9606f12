package org.nubes.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nubes.objectstore.ObjectStoreTestServer.header;
import static org.nubes.objectstore.ObjectStoreTestServer.text;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nubes.objectstore.ObjectStoreTestServer.Client;
import org.nubes.objectstore.replication.Expirer;
import org.nubes.objectstore.store.ListingQuery;
import org.nubes.objectstore.store.ListingStore;
import org.nubes.objectstore.store.ObjectRow;

/** X-Delete-At and X-Delete-After: expired objects are gone to readers at once and from listings after the expirer's pass. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExpiryApiTest {
    private ObjectStoreTestServer server;
    private Client alice;

    @BeforeAll
    void start() {
        server = new ObjectStoreTestServer();
        alice = server.project("expiry", "member");
        assertThat(alice.put("/exp", null).statusCode()).isEqualTo(201);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /** Waits until the Unix time has passed the given second. */
    private static void sleepPast(long unixSeconds) throws InterruptedException {
        while (now() <= unixSeconds) {
            Thread.sleep(100);
        }
    }

    @Test
    void anObjectExpiresAtItsTimeAndTheExpirerRemovesItFromTheListing() throws Exception {
        assertThat(alice.put("/exp1", null).statusCode()).isEqualTo(201);
        long at = now() + 2;
        byte[] data = "short-lived".getBytes(StandardCharsets.UTF_8);
        assertThat(alice.put("/exp1/soon", data, "X-Delete-At", Long.toString(at)).statusCode()).isEqualTo(201);
        assertThat(alice.put("/exp1/kept", data).statusCode()).isEqualTo(201);
        HttpResponse<byte[]> head = alice.head("/exp1/soon");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(header(head, "X-Delete-At")).isEqualTo(Long.toString(at));
        assertThat(alice.get("/exp1/soon").body()).isEqualTo(data);

        assertThat(server.service().maintenance().expire().expired()).isZero();
        sleepPast(at);
        assertThat(alice.get("/exp1/soon").statusCode()).isEqualTo(404);
        assertThat(alice.head("/exp1/soon").statusCode()).isEqualTo(404);
        assertThat(alice.post("/exp1/soon", "X-Object-Meta-A", "b").statusCode()).isEqualTo(404);
        assertThat(alice.delete("/exp1/soon").statusCode()).isEqualTo(404);
        // Listed until the expirer's pass, as in Swift.
        assertThat(text(alice.get("/exp1"))).isEqualTo("kept\nsoon\n");

        assertThat(server.service().maintenance().expire().expired()).isEqualTo(1);
        assertThat(text(alice.get("/exp1"))).isEqualTo("kept\n");
        assertThat(header(alice.head("/exp1"), "X-Container-Object-Count")).isEqualTo("1");
        assertThat(alice.get("/exp1/kept").statusCode()).isEqualTo(200);
    }

    @Test
    void deleteAfterBecomesDeleteAtAndAPostChangesOrRemovesIt() throws Exception {
        long before = now();
        assertThat(alice.put("/exp/after", new byte[] {1}, "X-Delete-After", "100").statusCode()).isEqualTo(201);
        long at = Long.parseLong(header(alice.head("/exp/after"), "X-Delete-At"));
        assertThat(at).isBetween(before + 100, now() + 100);

        // A POST sets the metadata and the expiry anew: without X-Delete-At the object no longer expires.
        assertThat(alice.post("/exp/after", "X-Object-Meta-Color", "red").statusCode()).isEqualTo(202);
        HttpResponse<byte[]> head = alice.head("/exp/after");
        assertThat(header(head, "X-Delete-At")).isNull();
        assertThat(header(head, "X-Object-Meta-Color")).isEqualTo("red");

        long soon = now() + 1;
        assertThat(alice.post("/exp/after", "X-Delete-At", Long.toString(soon)).statusCode()).isEqualTo(202);
        assertThat(header(alice.head("/exp/after"), "X-Delete-At")).isEqualTo(Long.toString(soon));
        // Overwritten before it expires: the new object does not expire, and the expirer leaves it.
        assertThat(alice.put("/exp/after", new byte[] {2}).statusCode()).isEqualTo(201);
        sleepPast(soon);
        server.service().maintenance().expire();
        assertThat(alice.get("/exp/after").body()).containsExactly(2);
        assertThat(text(alice.get("/exp?prefix=after"))).isEqualTo("after\n");
    }

    @Test
    void theExpirerLeavesAnObjectThatNoLongerExpiresThenAndCorrectsItsListing() {
        long later = now() + 1000;
        assertThat(alice.put("/exp/changed", new byte[] {3}, "X-Delete-At", Long.toString(later)).statusCode()).isEqualTo(201);
        // The listing row says it is due, as when the write that changed its expiry did not reach the listing.
        String account = alice.account().substring("/v1/".length());
        ListingStore listings = server.listings();
        ObjectRow row = listed(listings, account, "changed");
        listings.postObject(account, "exp", "changed", row.contentType(), now() - 10);

        Expirer.Result result = server.service().maintenance().expire();
        assertThat(result.changed()).isEqualTo(1);
        assertThat(result.expired()).isZero();
        assertThat(alice.get("/exp/changed").body()).containsExactly(3);
        assertThat(listed(listings, account, "changed").deleteAt()).isEqualTo(later);
    }

    private static ObjectRow listed(ListingStore listings, String account, String name) {
        return listings.objects(account, "exp", new ListingQuery(name, null, null, 1, false)).getFirst();
    }

    @Test
    void aCopyDoesNotInheritTheExpiry() {
        long at = now() + 1000;
        assertThat(alice.put("/exp/source", new byte[] {7}, "X-Delete-At", Long.toString(at)).statusCode()).isEqualTo(201);
        assertThat(alice.put("/exp/copy", null, "X-Copy-From", "exp/source").statusCode()).isEqualTo(201);
        assertThat(header(alice.head("/exp/copy"), "X-Delete-At")).isNull();
        assertThat(alice.put("/exp/copy2", null, "X-Copy-From", "exp/source", "X-Delete-After", "50").statusCode()).isEqualTo(201);
        assertThat(header(alice.head("/exp/copy2"), "X-Delete-At")).isNotNull();
    }

    @Test
    void aCopyOfAManifestDoesNotInheritTheExpiry() {
        assertThat(alice.put("/exp/segment", new byte[] {1, 2, 3}).statusCode()).isEqualTo(201);
        long at = now() + 1000;
        HttpResponse<byte[]> manifest = alice.put("/exp/slo?multipart-manifest=put",
                "[{\"path\": \"/exp/segment\"}]".getBytes(StandardCharsets.UTF_8), "X-Delete-At", Long.toString(at));
        assertThat(manifest.statusCode()).as(text(manifest)).isEqualTo(201);
        assertThat(header(alice.head("/exp/slo"), "X-Delete-At")).isEqualTo(Long.toString(at));

        assertThat(alice.put("/exp/slo-copy?multipart-manifest=get", null, "X-Copy-From", "exp/slo").statusCode()).isEqualTo(201);
        HttpResponse<byte[]> copy = alice.head("/exp/slo-copy");
        assertThat(header(copy, "X-Static-Large-Object")).isEqualTo("True");
        assertThat(header(copy, "X-Delete-At")).isNull();
        assertThat(alice.put("/exp/slo-copy2?multipart-manifest=get", null, "X-Copy-From", "exp/slo", "X-Delete-After", "50")
                .statusCode()).isEqualTo(201);
        assertThat(header(alice.head("/exp/slo-copy2"), "X-Delete-At")).isNotEqualTo(Long.toString(at)).isNotNull();
    }

    @Test
    void badExpiryTimesAre400() {
        assertThat(text(alice.put("/exp/bad", new byte[] {1}, "X-Delete-At", "soon"))).isEqualTo("Non-integer X-Delete-At");
        assertThat(text(alice.put("/exp/bad", new byte[] {1}, "X-Delete-At", "1000"))).isEqualTo("X-Delete-At in past");
        assertThat(text(alice.put("/exp/bad", new byte[] {1}, "X-Delete-After", "x"))).isEqualTo("Non-integer X-Delete-After");
        HttpResponse<byte[]> past = alice.put("/exp/bad", new byte[] {1}, "X-Delete-After", "-5");
        assertThat(past.statusCode()).isEqualTo(400);
        assertThat(text(past)).isEqualTo("X-Delete-After in past");
        assertThat(alice.head("/exp/bad").statusCode()).isEqualTo(404);
    }
}
