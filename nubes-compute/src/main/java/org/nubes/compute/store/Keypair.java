package org.nubes.compute.store;

import java.time.Instant;

/** An SSH (or x509) public key of one user, put into the servers they boot with it. */
public record Keypair(String userId, String name, String type, String publicKey, String fingerprint, Instant createdAt) {}
