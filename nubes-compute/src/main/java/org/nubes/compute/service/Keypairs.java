package org.nubes.compute.service;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.nubes.compute.ComputeConfig;
import org.nubes.compute.store.Keypair;
import org.nubes.compute.store.KeypairStore;
import org.nubes.core.http.ApiException;

/**
 * Key pairs of users: imported (an OpenSSH public key or an x509 certificate) or generated (RSA).
 * They belong to a user, not a project; the key_pairs quota of the project the request is scoped
 * to limits how many one user has.
 */
public final class Keypairs {
    public static final String SSH = "ssh";
    public static final String X509 = "x509";

    private final KeypairStore store;
    private final Quotas quotas;

    public Keypairs(Jdbi jdbi, ComputeConfig.QuotaDefaults quotas) {
        this.store = new KeypairStore(jdbi);
        this.quotas = new Quotas(jdbi, quotas);
    }

    /** A key pair made by create: with its private key when it was generated. */
    public record Created(KeypairStore.Row row, String privateKey) {}

    /** The user's key pair of that name. */
    public Optional<Keypair> find(String userId, String name) {
        return store.get(userId, name).map(KeypairStore.Row::keypair);
    }

    /** The user's key pair with its id, or Nova's 404. */
    public KeypairStore.Row get(String userId, String name) {
        return store.get(userId, name).orElseThrow(() -> notFound(userId, name));
    }

    private static ApiException notFound(String userId, String name) {
        return ApiException.notFound("Keypair %s not found for user %s", name, userId);
    }

    /** The user's key pairs sorted by name, after the marker (a name of theirs, else 400). */
    public List<KeypairStore.Row> list(String userId, String marker, int limit) {
        if (marker != null && store.get(userId, marker).isEmpty()) {
            throw ApiException.badRequest("Marker %s could not be found.", marker);
        }
        return store.list(userId, marker, limit);
    }

    /**
     * Imports the public key (or certificate), or generates a pair when there is none. 403 over quota, 400 for a key that does not parse, 409 for a taken name.
     */
    public Created create(String userId, String projectId, String name, String type, String publicKey) {
        String privateKey = null;
        String fingerprint;
        if (publicKey == null) {
            checkRoom(userId, projectId);
            SshKeys.Generated generated = type.equals(X509) ? SshKeys.generateX509(userId) : SshKeys.generateRsa();
            publicKey = generated.publicKey();
            privateKey = generated.privateKey();
            fingerprint = generated.fingerprint();
        } else {
            checkRoom(userId, projectId);
            fingerprint = type.equals(X509) ? SshKeys.x509Fingerprint(publicKey) : SshKeys.fingerprint(publicKey);
        }
        Keypair keypair = new Keypair(userId, name, type, publicKey, fingerprint, Instant.now());
        switch (store.insert(keypair, h -> quotas.limits(h, projectId).get("key_pairs"))) {
            case CREATED -> { }
            case EXISTS -> throw exists(name);
            case OVER_QUOTA -> throw overQuota();
        }
        return new Created(store.get(userId, name).orElseThrow(() -> notFound(userId, name)), privateKey);
    }

    /** Nova checks the quota before it reads the key, so a full quota answers 403 whatever the key. */
    private void checkRoom(String userId, String projectId) {
        int limit = quotas.limits(projectId).get("key_pairs");
        if (limit >= 0 && store.count(userId) >= limit) {
            throw overQuota();
        }
    }

    private static ApiException exists(String name) {
        return new ApiException(ApiException.Kind.CONFLICT, "Key pair '" + name + "' already exists.");
    }

    private static ApiException overQuota() {
        return ApiException.forbidden("Quota exceeded, too many key pairs.");
    }

    public void delete(String userId, String name) {
        if (!store.delete(userId, name)) {
            throw notFound(userId, name);
        }
    }
}
