package dev.switchboard.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shared Zipf law: a proper distribution, most weight on rank 1, and samples that follow it. */
class ZipfTest {

    @ParameterizedTest
    @ValueSource(doubles = {0, 0.5, 0.9, 1.2, 3})
    void theCdfRisesStrictlyAndEndsAtOne(double exponent) {
        Zipf law = new Zipf(1000, exponent);
        assertTrue(law.cdf(0) > 0);
        for (int i = 1; i < law.size(); i++) {
            assertTrue(law.cdf(i) > law.cdf(i - 1), "cdf(" + i + ") does not rise");
        }
        assertEquals(1.0, law.cdf(law.size() - 1));
    }

    @Test
    void rankOneIsTheMostProbableAndEachRankFollowsThePowerLaw() {
        Zipf law = new Zipf(100, 0.9);
        for (int i = 1; i < law.size(); i++) {
            assertTrue(law.probability(i) < law.probability(i - 1), "rank " + (i + 1) + " not less probable");
            // p(r) / p(1) = r^-s
            assertEquals(Math.pow(i + 1, -0.9), law.probability(i) / law.probability(0), 1e-9);
        }
    }

    @Test
    void exponentZeroIsUniform() {
        Zipf law = new Zipf(8, 0);
        for (int i = 0; i < law.size(); i++) {
            assertEquals(1.0 / 8, law.probability(i), 1e-12);
        }
    }

    @Test
    void sampledFrequenciesFollowTheLawOnAFixedSeed() {
        int n = 50;
        int draws = 400_000;
        Zipf law = new Zipf(n, 0.9);
        SplittableRandom random = new SplittableRandom(7);
        int[] counts = new int[n];
        for (int d = 0; d < draws; d++) {
            counts[law.sample(random)]++;
        }
        for (int i = 0; i < n; i++) {
            double expected = law.probability(i) * draws;
            // five standard deviations of a binomial count
            double tolerance = 5 * Math.sqrt(expected * (1 - law.probability(i)));
            assertEquals(expected, counts[i], tolerance, "rank " + (i + 1));
        }
    }

    @Test
    void indexIsTheFirstRankWhoseCdfReachesU() {
        Zipf law = new Zipf(4, 1);
        assertEquals(0, law.index(0));
        assertEquals(0, law.index(law.cdf(0)));
        assertEquals(1, law.index(Math.nextUp(law.cdf(0))));
        assertEquals(3, law.index(Math.nextDown(1.0)));
        assertEquals(0, new Zipf(1, 0.9).index(0.999));
    }

    @Test
    void aLawWithoutRanksOrWithABadExponentIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Zipf(0, 0.9));
        assertThrows(IllegalArgumentException.class, () -> new Zipf(10, -0.1));
        assertThrows(IllegalArgumentException.class, () -> new Zipf(10, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new Zipf(10, Double.POSITIVE_INFINITY));
    }
}
