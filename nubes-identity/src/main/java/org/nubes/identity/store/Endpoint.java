package org.nubes.identity.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

public record Endpoint(String id, String serviceId, String interfaceName, String regionId, String url,
                       boolean enabled, ObjectNode extra) {}
