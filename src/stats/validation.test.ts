// Every input check of src/stats throws a RangeError with its exact one-line message, at the
// boundary (the smallest bad value fails, the smallest good one passes).
import { describe, expect, it } from 'vitest';
import { clopperPearson } from './binomial.ts';
import { bonferroni, holm } from './multiple.ts';
import { midRanks } from './ranks.ts';
import { mannWhitney } from './mann-whitney.ts';
import { jonckheereTerpstra } from './jonckheere.ts';
import { ksOneSample, ksTwoSample } from './ks.ts';
import { ols } from './regression.ts';
import { fCdf, lnGamma, tQuantile } from './special.ts';
import { compareForms, type FormPoint } from './tail.ts';

const rangeError = (f: () => unknown, message: string) => expect(f).toThrow(new RangeError(message));

describe('input checks (exact messages)', () => {
  it('clopperPearson: n, k and level', () => {
    rangeError(() => clopperPearson(0, 0), 'clopperPearson: n must be a positive integer (got 0)');
    rangeError(() => clopperPearson(0, 1.5), 'clopperPearson: n must be a positive integer (got 1.5)');
    expect(clopperPearson(0, 1).upper).toBeCloseTo(0.975, 12); // n = 1 is valid: upper = 1 − 0.025
    rangeError(() => clopperPearson(-1, 10), 'clopperPearson: k must be an integer in [0, n] (got -1)');
    rangeError(() => clopperPearson(1.5, 10), 'clopperPearson: k must be an integer in [0, n] (got 1.5)');
    rangeError(() => clopperPearson(11, 10), 'clopperPearson: k must be an integer in [0, n] (got 11)');
    rangeError(() => clopperPearson(1, 10, 0), 'clopperPearson: level must be in (0, 1) (got 0)');
    rangeError(() => clopperPearson(1, 10, -0.5), 'clopperPearson: level must be in (0, 1) (got -0.5)');
    rangeError(() => clopperPearson(1, 10, 1), 'clopperPearson: level must be in (0, 1) (got 1)');
  });

  it('holm and bonferroni: α in (0, 1), p-values in [0, 1] (0 and 1 included)', () => {
    for (const f of [holm, bonferroni]) {
      rangeError(() => f([0.5], 0), 'alpha must be in (0, 1) (got 0)');
      rangeError(() => f([0.5], 1), 'alpha must be in (0, 1) (got 1)');
      rangeError(() => f([0.5], -0.1), 'alpha must be in (0, 1) (got -0.1)');
      rangeError(() => f([0.5], 1.5), 'alpha must be in (0, 1) (got 1.5)');
      rangeError(() => f([0.5, -0.1], 0.05), 'p-value 1 is not in [0, 1] (got -0.1)');
      rangeError(() => f([1.2], 0.05), 'p-value 0 is not in [0, 1] (got 1.2)');
      rangeError(() => f([0.1, 0.2, NaN], 0.05), 'p-value 2 is not in [0, 1] (got NaN)');
      expect(f([0, 1], 0.05).rejected).toEqual([true, false]);
    }
  });

  it('midRanks, mannWhitney, jonckheereTerpstra: NaN and empty samples', () => {
    rangeError(() => midRanks([1, NaN]), 'midRanks: value 1 is NaN');
    rangeError(() => mannWhitney([], [1]), 'mannWhitney: both samples must be non-empty');
    rangeError(() => mannWhitney([1], []), 'mannWhitney: both samples must be non-empty');
    rangeError(() => jonckheereTerpstra([[1, 2], []]), 'jonckheereTerpstra: need at least two non-empty groups');
    rangeError(() => jonckheereTerpstra([[1, 2]]), 'jonckheereTerpstra: need at least two non-empty groups');
    rangeError(() => jonckheereTerpstra([[1, 2], [3, NaN]]), 'jonckheereTerpstra: value 3 is NaN');
  });

  it('ksOneSample and ksTwoSample: empty samples and NaN (index in the pooled sample)', () => {
    const u = (t: number) => t;
    rangeError(() => ksOneSample([], u), 'ksOneSample: empty sample');
    rangeError(() => ksOneSample([0.5, NaN], u), 'ksOneSample: value 1 is NaN');
    rangeError(() => ksOneSample(Float64Array.of(NaN), u), 'ksOneSample: value 0 is NaN');
    rangeError(() => ksTwoSample([], [1]), 'ksTwoSample: both samples must be non-empty');
    rangeError(() => ksTwoSample([1], []), 'ksTwoSample: both samples must be non-empty');
    rangeError(() => ksTwoSample([1, 2], [3, NaN]), 'ksTwoSample: value 3 is NaN');
    rangeError(() => ksTwoSample([NaN], [3]), 'ksTwoSample: value 0 is NaN');
  });

  it('ols: shape, too few observations, singular design', () => {
    rangeError(() => ols([[1, 0], [1, 1]], [1, 2, 3], ['a', 'b']), 'ols: X must be n × p with p = names.length');
    rangeError(() => ols([[1, 0], [1], [1, 2]], [1, 2, 3], ['a', 'b']), 'ols: X must be n × p with p = names.length');
    rangeError(() => ols([[1, 0, 0], [1, 1, 0], [1, 2, 0]], [1, 2, 3], ['a', 'b']), 'ols: X must be n × p with p = names.length');
    rangeError(() => ols([[1, 0]], [1], ['a', 'b']), 'ols: 1 observations for 2 coefficients');
    rangeError(() => ols([[1, 1], [2, 2], [3, 3]], [1, 2, 3], ['a', 'b']), 'ols: the design matrix is singular (collinear covariates)');
  });

  it('lnGamma, tQuantile, fCdf: domains', () => {
    rangeError(() => lnGamma(0), 'lnGamma: x must be > 0 (got 0)');
    rangeError(() => lnGamma(-1), 'lnGamma: x must be > 0 (got -1)');
    rangeError(() => lnGamma(NaN), 'lnGamma: x must be > 0 (got NaN)');
    rangeError(() => tQuantile(0, 3), 'tQuantile: p must be in (0, 1) (got 0)');
    rangeError(() => tQuantile(1, 3), 'tQuantile: p must be in (0, 1) (got 1)');
    rangeError(() => tQuantile(-0.5, 3), 'tQuantile: p must be in (0, 1) (got -0.5)');
    rangeError(() => tQuantile(1.5, 3), 'tQuantile: p must be in (0, 1) (got 1.5)');
    rangeError(() => tQuantile(0.9, 0), 'tQuantile: df must be > 0 (got 0)');
    rangeError(() => tQuantile(0.9, -1), 'tQuantile: df must be > 0 (got -1)');
    rangeError(() => fCdf(1, 0, 3), 'fCdf: degrees of freedom must be > 0 (got 0, 3)');
    rangeError(() => fCdf(1, 3, 0), 'fCdf: degrees of freedom must be > 0 (got 3, 0)');
    rangeError(() => fCdf(1, -1, -1), 'fCdf: degrees of freedom must be > 0 (got -1, -1)');
  });

  it('compareForms: at least 3 configurations (3 is enough)', () => {
    const p = (y: number, u: number): FormPoint => ({ logRate: y, covariates: { u }, offsets: { F: 0 } });
    rangeError(() => compareForms([p(1, 0), p(2, 1)], ['F'], ['u']), 'compareForms: need at least 3 configurations (got 2)');
    expect(compareForms([p(1, 0), p(2, 1), p(4, 2)], ['F'], ['u']).points).toBe(3);
  });
});
