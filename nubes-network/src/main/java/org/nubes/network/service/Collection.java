package org.nubes.network.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jdbi.v3.core.Handle;
import org.nubes.network.store.ResourceStore.Row;

/**
 * One Neutron collection's own rules: how a resource is made, changed, removed and shown. Each
 * method runs inside the request's transaction; listing, paging and fields are common to all.
 */
public interface Collection {
    Kind kind();

    Row create(Handle h, Caller caller, JsonNode request);

    Row update(Handle h, Caller caller, String id, JsonNode request);

    void delete(Handle h, Caller caller, String id);

    /** The resource as the API shows it to the caller, with attributes derived from other rows. */
    default ObjectNode view(Handle h, Caller caller, Row row) {
        return row.body();
    }

    /** Work due before the caller reads the collection (the default security group). */
    default void beforeRead(Caller caller) {}
}
