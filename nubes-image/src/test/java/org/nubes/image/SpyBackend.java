package org.nubes.image;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.nubes.image.backend.ImageBackend;

/** A store that counts the writes it passes on to another, and fails moves when asked to. */
final class SpyBackend implements ImageBackend {
    /** What the tests read and set; shared with the server's backend. */
    static final class Counter {
        final AtomicInteger puts = new AtomicInteger();
        final AtomicBoolean failMoves = new AtomicBoolean();
    }

    private final ImageBackend delegate;
    private final Counter counter;

    SpyBackend(ImageBackend delegate, Counter counter) {
        this.delegate = delegate;
        this.counter = counter;
    }

    @Override
    public Stored put(String key, InputStream data, long maxBytes) throws IOException {
        counter.puts.incrementAndGet();
        return delegate.put(key, data, maxBytes);
    }

    @Override
    public void move(String from, String to) throws IOException {
        if (counter.failMoves.get()) {
            throw new IOException("injected failure moving " + from + " to " + to);
        }
        delegate.move(from, to);
    }

    @Override
    public InputStream open(String key, long offset, long length) throws IOException {
        return delegate.open(key, offset, length);
    }

    @Override
    public void delete(String key) throws IOException {
        delegate.delete(key);
    }

    @Override
    public boolean exists(String key) {
        return delegate.exists(key);
    }
}
