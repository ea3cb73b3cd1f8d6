package dev.switchboard.core.routing;

import java.util.List;

/**
 * Rendezvous (highest random weight) hashing, the placement every hashing strategy shares: the
 * owner of a key is the worker with the highest {@link #weight} for it. When a worker leaves,
 * only its own keys move; when one joins, it takes about 1/(n+1) of the keys from the others.
 *
 * <p>The hashes depend only on the characters of the key and of the worker id, never on the JVM,
 * the process or the join order, so independent routers place keys alike.
 */
public final class Rendezvous {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Rendezvous() {
    }

    /**
     * A 64-bit hash of {@code s} (FNV-1a over its UTF-16 units, then a SplitMix64 finalizer).
     *
     * @param s the string to hash
     * @return a 64-bit hash of {@code s} (FNV-1a over its UTF-16 units, then a SplitMix64 finalizer)
     */
    public static long hash(String s) {
        long h = FNV_OFFSET;
        for (int i = 0, n = s.length(); i < n; i++) {
            h ^= s.charAt(i);
            h *= FNV_PRIME;
        }
        return mix(h);
    }

    /**
     * The weight of a worker for a key, from their {@link #hash}es; higher weights come first.
     *
     * @param keyHash the key's {@link #hash}
     * @param workerHash the worker id's {@link #hash}
     * @return the weight of a worker for a key, from their {@link #hash}es; higher weights come first
     */
    public static long weight(long keyHash, long workerHash) {
        return mix(keyHash ^ workerHash);
    }

    /**
     * The index in {@code workerIds} of the owner of {@code key}: the highest weight, ties (equal
     * 64-bit weights) to the lower index.
     *
     * @param key the key
     * @param workerIds the ids of the candidate workers, not empty
     * @return the index of the owner in {@code workerIds}
     * @throws IllegalArgumentException if {@code workerIds} is empty
     */
    public static int owner(String key, List<String> workerIds) {
        if (workerIds.isEmpty()) {
            throw new IllegalArgumentException("no workers to own key " + key);
        }
        long k = hash(key);
        int best = 0;
        long bestWeight = Long.MIN_VALUE;
        for (int i = 0, n = workerIds.size(); i < n; i++) {
            long w = weight(k, hash(workerIds.get(i)));
            if (i == 0 || w > bestWeight) {
                best = i;
                bestWeight = w;
            }
        }
        return best;
    }

    /** SplitMix64's finalizer: every input bit affects every output bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
