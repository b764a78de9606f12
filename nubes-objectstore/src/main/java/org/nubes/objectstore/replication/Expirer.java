package org.nubes.objectstore.replication;

import java.util.List;
import org.nubes.objectstore.service.Objects;
import org.nubes.objectstore.store.ListingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Swift's object expirer: deletes the objects whose X-Delete-At has passed. Readers already get
 * 404 for them from that moment; until this pass runs they stay in listings and counts, as in
 * Swift. The listing rows say which objects are due; each is deleted only if it still expires at
 * that time (a PUT or POST may have changed it since).
 */
public final class Expirer {
    private static final Logger LOG = LoggerFactory.getLogger(Expirer.class);
    private static final int BATCH = 1000;

    private final ListingStore listings;
    private final Objects objects;

    public Expirer(ListingStore listings, Objects objects) {
        this.listings = listings;
        this.objects = objects;
    }

    /** What one pass did: objects deleted, objects found to expire later after all, failures. */
    public record Result(int expired, int changed, int failures) {}

    public Result runOnce() {
        long now = System.currentTimeMillis() / 1000;
        int expired = 0;
        int changed = 0;
        int failures = 0;
        while (true) {
            List<ListingStore.Expiring> due = listings.expiring(now, BATCH);
            int before = expired + changed;
            for (ListingStore.Expiring object : due) {
                try {
                    if (objects.expire(object.account(), object.container(), object.name(), object.deleteAt())) {
                        expired++;
                    } else {
                        changed++;
                    }
                } catch (RuntimeException e) {
                    failures++;
                    LOG.debug("expiring {}/{}/{} failed; the next pass tries again", object.account(), object.container(),
                            object.name(), e);
                }
            }
            // A full batch in which nothing could be done would come back the same: leave it to the next pass.
            if (due.size() < BATCH || expired + changed == before) {
                return new Result(expired, changed, failures);
            }
        }
    }
}
