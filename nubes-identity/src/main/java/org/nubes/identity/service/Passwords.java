package org.nubes.identity.service;

import org.springframework.security.crypto.bcrypt.BCrypt;

/** bcrypt hashes, as Keystone stores passwords and application credential secrets. */
public final class Passwords {
    private final int cost;
    /** Checked when there is no user, so a wrong name costs as long as a wrong password. */
    private final String decoy;

    public Passwords(int cost) {
        this.cost = cost;
        this.decoy = BCrypt.hashpw("decoy", BCrypt.gensalt(cost));
    }

    public String hash(String secret) {
        return BCrypt.hashpw(secret, BCrypt.gensalt(cost));
    }

    /** Whether the secret matches; a null hash never matches but still costs one bcrypt. */
    public boolean matches(String secret, String hash) {
        if (secret == null || hash == null) {
            BCrypt.checkpw("decoy", decoy);
            return false;
        }
        return BCrypt.checkpw(secret, hash);
    }
}
