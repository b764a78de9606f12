package org.nubes.image.backend;

import java.io.IOException;
import java.io.InputStream;

/**
 * Where image bytes live. The filesystem store is the first; the object store joins later behind
 * the same interface. Keys are chosen by the image service (an image id, or a staging key).
 */
public interface ImageBackend {
    /** What a completed write stored. */
    record Stored(long size, String md5, String sha512) {}

    /**
     * Streams the data to the key and returns its size and hashes. The write is atomic: until it
     * completes nothing is visible under the key, and on any failure (including more than
     * maxBytes) nothing is left behind and the old data under the key, if any, is unchanged.
     *
     * @throws TooLargeException when the data exceeds maxBytes
     */
    Stored put(String key, InputStream data, long maxBytes) throws IOException;

    /**
     * Moves the data of one key to another without copying it (the glance-direct import moves
     * staged data to the image's key), replacing what the target held. Atomic: a reader of the
     * target sees its old data or all of the moved data, never a mix, and on failure both keys are
     * as they were. Durable when it returns; afterwards the source key holds nothing.
     *
     * @throws java.nio.file.NoSuchFileException when the source key holds no data
     */
    void move(String from, String to) throws IOException;

    /** The bytes from offset, length of them (-1: to the end); the caller closes the stream. */
    InputStream open(String key, long offset, long length) throws IOException;

    /** Deletes the key's data; deleting a missing key succeeds. */
    void delete(String key) throws IOException;

    boolean exists(String key);

    /** More bytes than allowed. */
    final class TooLargeException extends IOException {
        public TooLargeException(String message) {
            super(message);
        }
    }
}
