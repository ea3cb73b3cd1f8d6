package dev.switchboard.core.routing;

import java.util.Arrays;

/**
 * The hottest keys of a stream, by a decaying count-min sketch (four rows, conservative update,
 * every counter halved after each {@link #SAMPLE_PERIOD} keys) and a small set of the keys with
 * the highest estimates. Keys are their {@link Rendezvous#hash}es. Allocation-free once the set
 * reached its largest bound; not thread-safe.
 */
final class HotKeys {

    static final int WIDTH = 4096;
    static final int SAMPLE_PERIOD = 10 * WIDTH;
    private static final int MASK = WIDTH - 1;

    private final int[] table = new int[4 * WIDTH];
    private int samples;
    private long[] hashes = new long[16];
    private int[] counts = new int[16];
    private int size;
    private int minIndex = -1;

    /**
     * Counts one occurrence of {@code hash} and returns whether it is in the hot set, which then
     * holds at most {@code bound} keys.
     */
    boolean record(long hash, int bound) {
        int estimate = increment(hash);
        if (++samples >= SAMPLE_PERIOD) {
            halve();
        }
        while (size > bound) {
            removeAt(min());
        }
        if (size > 0 && size >= bound && estimate <= counts[min()]) {
            // A hot key's estimate only grows between halvings (which halve the set's counts too),
            // so it now exceeds the count the set holds for it, which is at least the minimum:
            // this key is not hot, and it does not beat the coldest hot key.
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (hashes[i] == hash) {
                counts[i] = estimate;
                if (i == minIndex) {
                    minIndex = -1;
                }
                return true;
            }
        }
        if (bound < 1) {
            return false;
        }
        if (size < bound) {
            if (size == hashes.length) {
                hashes = Arrays.copyOf(hashes, size * 2);
                counts = Arrays.copyOf(counts, size * 2);
            }
            hashes[size] = hash;
            counts[size] = estimate;
            size++;
            minIndex = -1;
            return true;
        }
        int m = min();
        if (estimate > counts[m]) {
            hashes[m] = hash;
            counts[m] = estimate;
            minIndex = -1;
            return true;
        }
        return false;
    }

    /** How many keys are hot. */
    int size() {
        return size;
    }

    /** Whether {@code hash} is hot, without counting it. */
    boolean contains(long hash) {
        for (int i = 0; i < size; i++) {
            if (hashes[i] == hash) {
                return true;
            }
        }
        return false;
    }

    private int increment(long hash) {
        int i0 = (int) hash & MASK;
        int i1 = WIDTH + ((int) (hash >>> 16) & MASK);
        int i2 = 2 * WIDTH + ((int) (hash >>> 32) & MASK);
        int i3 = 3 * WIDTH + ((int) (hash >>> 48) & MASK);
        int[] t = table;
        int est = Math.min(Math.min(t[i0], t[i1]), Math.min(t[i2], t[i3])) + 1;
        // conservative update: raise only the counters below the new estimate
        t[i0] = Math.max(t[i0], est);
        t[i1] = Math.max(t[i1], est);
        t[i2] = Math.max(t[i2], est);
        t[i3] = Math.max(t[i3], est);
        return est;
    }

    private void halve() {
        samples = 0;
        int[] t = table;
        for (int i = 0; i < t.length; i++) {
            t[i] >>>= 1;
        }
        for (int i = 0; i < size; i++) {
            counts[i] >>>= 1;
        }
    }

    private int min() {
        if (minIndex < 0) {
            int m = 0;
            for (int i = 1; i < size; i++) {
                if (counts[i] < counts[m]) {
                    m = i;
                }
            }
            minIndex = m;
        }
        return minIndex;
    }

    private void removeAt(int i) {
        size--;
        hashes[i] = hashes[size];
        counts[i] = counts[size];
        minIndex = -1;
    }
}
