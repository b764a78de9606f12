package org.nubes.objectstore.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nubes.core.config.DatabaseConfig;
import org.nubes.core.db.Database;
import org.nubes.objectstore.service.Listing;

class ListingStoreTest {
    static java.util.stream.Stream<org.junit.jupiter.api.Named<DatabaseConfig>> databases() {
        return org.nubes.core.testing.TestDatabases.named();
    }

    private static ListingStore open(Database database) {
        database.migrate("objectstore");
        return new ListingStore(database.jdbi());
    }

    private static ObjectRow row(String name, long size, String ts) {
        return new ObjectRow(name, size, "d41d8cd98f00b204e9800998ecf8427e", "text/plain", ts);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void expiringObjectsAreFoundByTheirTimeUntilDeletedOrChanged(DatabaseConfig config) {
        try (Database database = Database.open(config)) {
            ListingStore store = open(database);
            store.createContainer("AUTH_e", "c", Map.of(), null, null, "1700000000.00000");
            store.putObject("AUTH_e", "c", new ObjectRow("soon", 1, "e", "text/plain", "1700000001.00000", 1800000000L));
            store.putObject("AUTH_e", "c", new ObjectRow("later", 1, "e", "text/plain", "1700000001.00000", 1900000000L));
            store.putObject("AUTH_e", "c", row("never", 1, "1700000001.00000"));
            assertThat(store.expiring(1850000000L, 10)).containsExactly(new ListingStore.Expiring("AUTH_e", "c", "soon", 1800000000L));
            assertThat(store.expiring(1950000000L, 10)).extracting(ListingStore.Expiring::name).containsExactly("soon", "later");
            assertThat(store.expiring(1950000000L, 1)).extracting(ListingStore.Expiring::name).containsExactly("soon");

            store.postObject("AUTH_e", "c", "later", "text/plain", null);
            store.deleteObject("AUTH_e", "c", "soon", "1700000002.00000");
            assertThat(store.expiring(1950000000L, 10)).isEmpty();
            assertThat(store.objects("AUTH_e", "c", new ListingQuery(null, null, null, 10, false)))
                    .extracting(ObjectRow::deleteAt).containsOnlyNulls();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void countsFollowPutsOverwritesAndDeletes(DatabaseConfig config) {
        try (Database database = Database.open(config)) {
            ListingStore store = open(database);
            assertThat(store.createContainer("AUTH_a", "c", Map.of("X-Container-Meta-A", "1"), ".r:*", null, "1700000000.00000")).isTrue();
            assertThat(store.createContainer("AUTH_a", "c", Map.of(), null, null, "1700000000.00000")).isFalse();
            store.putObject("AUTH_a", "c", row("x", 10, "1700000001.00000"));
            store.putObject("AUTH_a", "c", row("y", 5, "1700000002.00000"));
            store.putObject("AUTH_a", "c", row("x", 3, "1700000003.00000"));
            // An older write arriving late changes nothing.
            store.putObject("AUTH_a", "c", row("x", 100, "1700000000.50000"));
            ContainerRow c = store.container("AUTH_a", "c").orElseThrow();
            assertThat(c.objectCount()).isEqualTo(2);
            assertThat(c.bytesUsed()).isEqualTo(8);
            assertThat(c.metadata()).containsEntry("X-Container-Meta-A", "1");
            assertThat(c.readAcl()).isEqualTo(".r:*");
            assertThat(store.deleteContainer("AUTH_a", "c")).isEqualTo(ListingStore.DeleteResult.NOT_EMPTY);

            store.deleteObject("AUTH_a", "c", "x", "1700000004.00000");
            store.deleteObject("AUTH_a", "c", "x", "1700000005.00000");
            c = store.container("AUTH_a", "c").orElseThrow();
            assertThat(c.objectCount()).isEqualTo(1);
            assertThat(c.bytesUsed()).isEqualTo(5);
            AccountRow account = store.account("AUTH_a", "now");
            assertThat(account.containerCount()).isEqualTo(1);
            assertThat(account.objectCount()).isEqualTo(1);
            assertThat(account.bytesUsed()).isEqualTo(5);

            store.deleteObject("AUTH_a", "c", "y", "1700000006.00000");
            assertThat(store.deleteContainer("AUTH_a", "c")).isEqualTo(ListingStore.DeleteResult.DELETED);
            assertThat(store.deleteContainer("AUTH_a", "c")).isEqualTo(ListingStore.DeleteResult.NOT_FOUND);
            assertThat(store.putObject("AUTH_a", "c", row("z", 1, "1700000007.00000"))).isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void namesSortByCodePointWithSwiftsPaging(DatabaseConfig config) {
        try (Database database = Database.open(config)) {
            ListingStore store = open(database);
            store.createContainer("AUTH_a", "c", Map.of(), null, null, "1700000000.00000");
            // In a natural-language collation "a-b" and "a/b" or "B" and "a" sort differently.
            List<String> names = List.of("B", "a", "a-b", "a/b", "a/c", "a_%", "b", "é");
            for (String name : names) {
                store.putObject("AUTH_a", "c", row(name, 1, "1700000001.00000"));
            }
            assertThat(store.objects("AUTH_a", "c", new ListingQuery(null, null, null, 100, false)))
                    .extracting(ObjectRow::name).containsExactly("B", "a", "a-b", "a/b", "a/c", "a_%", "b", "é");
            assertThat(store.objects("AUTH_a", "c", new ListingQuery("a_", null, null, 100, false)))
                    .extracting(ObjectRow::name).containsExactly("a_%");
            assertThat(store.objects("AUTH_a", "c", new ListingQuery(null, "a", "b", 100, true)))
                    .extracting(ObjectRow::name).containsExactly("a_%", "a/c", "a/b", "a-b");
            var page = Listing.page(q -> store.objects("AUTH_a", "c", q), ObjectRow::name, "", "/", null, null, 100, false);
            assertThat(page).extracting(e -> e.item() != null ? e.item().name() : e.subdir())
                    .containsExactly("B", "a", "a-b", "a/", "a_%", "b", "é");
        }
    }
}
