package dev.switchboard.core.transport;

import java.util.Objects;

/**
 * A change in what a worker holds in its cache, which routing uses to send requests where their
 * key is already cached.
 *
 * <p>How it may grow: new {@link Type} constants may be added (switch over them with a default
 * branch); construct it through {@link #cached} and {@link #evicted}.
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

    /**
     * Checks both fields.
     *
     * @param type whether the key was cached or evicted
     * @param key the key
     */
    public CacheEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
    }

    /**
     * A {@link Type#CACHED} event.
     *
     * @param key the key now cached
     * @return a {@link Type#CACHED} event
     */
    public static CacheEvent cached(String key) {
        return new CacheEvent(Type.CACHED, key);
    }

    /**
     * An {@link Type#EVICTED} event.
     *
     * @param key the key evicted
     * @return an {@link Type#EVICTED} event
     */
    public static CacheEvent evicted(String key) {
        return new CacheEvent(Type.EVICTED, key);
    }
}
