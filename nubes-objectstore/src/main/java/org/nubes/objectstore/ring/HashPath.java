package org.nubes.objectstore.ring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * Swift's hash of an object's path: md5(prefix + "/account/container/object" + suffix). The prefix
 * and suffix are random per cloud, so that nobody can aim many names at one partition; they are kept
 * in a file and must never change once data is stored (every object would move).
 */
public record HashPath(String prefix, String suffix) {

    /** Reads the secret from the file, creating it (atomically) on first start. */
    public static HashPath load(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                HexFormat hex = HexFormat.of();
                SecureRandom random = new SecureRandom();
                byte[] a = new byte[16];
                byte[] b = new byte[16];
                random.nextBytes(a);
                random.nextBytes(b);
                Path temp = Files.createTempFile(file.getParent(), ".hash_path", ".tmp");
                Files.writeString(temp, hex.formatHex(a) + "\n" + hex.formatHex(b) + "\n");
                try {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    Files.deleteIfExists(temp);  // another process won the race: use its secret
                }
            }
            List<String> lines = Files.readAllLines(file);
            return new HashPath(lines.get(0).strip(), lines.get(1).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the hash path secret " + file, e);
        }
    }

    /** The 16-byte md5 of the path. */
    public byte[] hash(String account, String container, String object) {
        StringBuilder path = new StringBuilder(prefix).append('/').append(account);
        if (container != null) {
            path.append('/').append(container);
            if (object != null) {
                path.append('/').append(object);
            }
        }
        path.append(suffix);
        try {
            return MessageDigest.getInstance("MD5").digest(path.toString().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
