package org.nubes.identity.service;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import org.springframework.security.crypto.bcrypt.BCrypt;

/** bcrypt hashes, as Keystone stores passwords and application credential secrets. */
public final class Passwords {
    private final int cost;
    /**
     * Checked when there is no user, so a wrong name costs as long as a wrong password. Made in
     * the background: one hash at cost 12 would add a quarter of a second to every start.
     */
    private final Future<String> decoy;

    public Passwords(int cost) {
        this.cost = cost;
        var made = new FutureTask<>(() -> BCrypt.hashpw("decoy", BCrypt.gensalt(cost)));
        Thread.ofVirtual().name("bcrypt-decoy").start(made);
        this.decoy = made;
    }

    private String decoyHash() {
        try {
            return decoy.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    public String hash(String secret) {
        return BCrypt.hashpw(bcryptBytes(secret), BCrypt.gensalt(cost));
    }

    /** bcrypt reads at most 72 bytes of a secret; like Keystone, longer secrets are cut there. */
    private static byte[] bcryptBytes(String secret) {
        byte[] bytes = secret.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return bytes.length <= 72 ? bytes : java.util.Arrays.copyOf(bytes, 72);
    }

    /** Whether the secret matches; a null hash never matches but still costs one bcrypt. */
    public boolean matches(String secret, String hash) {
        if (secret == null || hash == null) {
            BCrypt.checkpw("decoy", decoyHash());
            return false;
        }
        return BCrypt.checkpw(bcryptBytes(secret), hash);
    }
}
