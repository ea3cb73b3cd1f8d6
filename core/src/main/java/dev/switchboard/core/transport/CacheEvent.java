package dev.switchboard.core.transport;

import java.util.Objects;

/**
 * A change in what a worker holds in its cache, which routing uses to send requests where their
 * key is already cached.
 *
 * @param type whether the key was cached or evicted
 * @param key  the affinity key
 */
public record CacheEvent(Type type, String key) {

    /** What happened to the key. */
    public enum Type {
        /** The worker now holds the key. */
        CACHED,
        /** The worker no longer holds the key. */
        EVICTED
    }

    /** Checks both fields. */
    public CacheEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
    }

    /** A {@link Type#CACHED} event. */
    public static CacheEvent cached(String key) {
        return new CacheEvent(Type.CACHED, key);
    }

    /** An {@link Type#EVICTED} event. */
    public static CacheEvent evicted(String key) {
        return new CacheEvent(Type.EVICTED, key);
    }
}
