package org.nubes.identity.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A stored credential such as an EC2 access/secret pair; blob is the JSON text the client gave. */
public record Credential(String id, String userId, String projectId, String type, String blob, ObjectNode extra) {}
