package org.nubes.identity.service;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * bcrypt hashes, as Keystone stores passwords and application credential secrets.
 *
 * <p>bcrypt runs on platform threads of its own, one per core. On the request's virtual thread a
 * quarter second of hashing would hold a carrier thread, and with as many logins as cores every
 * other request would wait for them; on platform threads the OS shares the cores instead.
 */
public final class Passwords {
    private static final ExecutorService BCRYPT = Executors.newFixedThreadPool(
            Runtime.getRuntime().availableProcessors(), Thread.ofPlatform().name("bcrypt-", 0).daemon().factory());

    private final int cost;
    /**
     * Checked when there is no user, so a wrong name costs as long as a wrong password. Made in
     * the background: one hash at cost 12 would add a quarter of a second to every start.
     */
    private final Future<String> decoy;

    public Passwords(int cost) {
        this.cost = cost;
        this.decoy = BCRYPT.submit(() -> BCrypt.hashpw("decoy", BCrypt.gensalt(cost)));
    }

    public String hash(String secret) {
        return run(() -> BCrypt.hashpw(bcryptBytes(secret), BCrypt.gensalt(cost)));
    }

    /** Whether the secret matches; a null hash never matches but still costs one bcrypt. */
    public boolean matches(String secret, String hash) {
        if (secret == null || hash == null) {
            String decoyHash = await(decoy);
            run(() -> BCrypt.checkpw("decoy", decoyHash));
            return false;
        }
        return run(() -> BCrypt.checkpw(bcryptBytes(secret), hash));
    }

    /** bcrypt reads at most 72 bytes of a secret; like Keystone, longer secrets are cut there. */
    private static byte[] bcryptBytes(String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= 72 ? bytes : Arrays.copyOf(bytes, 72);
    }

    private static <T> T run(Callable<T> work) {
        return await(BCRYPT.submit(work));
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while hashing", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }
}
