/**
 * Series-parallel decomposition (series-parallel.ts): on random series-parallel graphs (nested
 * series and parallel compositions, branches of any length including the identity, merges of
 * 2–3 inputs, nodes listed in a shuffled topological order) replaying the decomposition gives
 * back exactly the graph's edges, inputs in order; graphs that are not series-parallel are
 * refused with one line naming the nodes. fast-check seed 61.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../src/errors.ts';
import { seriesParallel, type GraphNode, type SeriesItem } from './series-parallel.ts';

type Shape = { kind: 'node' } | { kind: 'series'; parts: Shape[] } | { kind: 'parallel'; branches: Shape[] };

const shapeArb: fc.Arbitrary<Shape> = fc.letrec<{ shape: Shape }>((tie) => ({
  shape: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant<Shape>({ kind: 'node' }),
    fc.array(tie('shape'), { minLength: 1, maxLength: 3 }).map((parts): Shape => ({ kind: 'series', parts })),
    fc.array(fc.oneof(tie('shape'), fc.constant<Shape>({ kind: 'series', parts: [] })), { minLength: 2, maxLength: 3 }).map((branches): Shape => ({ kind: 'parallel', branches })),
  ),
})).shape;

/** Build the graph of a shape after node `src`; returns the node that ends it. */
function build(s: Shape, src: string, nodes: GraphNode[], merges: Set<string>): string {
  if (s.kind === 'node') {
    const name = `n${nodes.length}`;
    nodes.push({ name, inputs: [src] });
    return name;
  }
  if (s.kind === 'series') return s.parts.reduce((cur, p) => build(p, cur, nodes, merges), src);
  const ends = s.branches.map((b) => build(b, src, nodes, merges));
  const name = `m${nodes.length}`;
  nodes.push({ name, inputs: ends });
  merges.add(name);
  return name;
}

/** The edges (input → node, with the input's position) that a decomposition describes. */
function replay(items: SeriesItem[], src: string, inputsOf: Map<string, string[]>): string {
  let cur = src;
  for (const it of items) {
    if ('node' in it) {
      inputsOf.set(it.node, [cur]);
      cur = it.node;
    } else {
      inputsOf.set(it.merge, it.branches.map((b) => replay(b, cur, inputsOf)));
      cur = it.merge;
    }
  }
  return cur;
}

/** A topological order other than the construction order: repeatedly take a random ready node. */
function shuffledTopological(nodes: GraphNode[], seed: number): GraphNode[] {
  const done = new Set<string>(['in']);
  const left = [...nodes];
  const out: GraphNode[] = [];
  let s = seed >>> 0;
  while (left.length) {
    const ready = left.filter((n) => n.inputs.every((i) => done.has(i)));
    s = (s * 1103515245 + 12345) >>> 0;
    const pick = ready[s % ready.length]!;
    out.push(pick);
    done.add(pick.name);
    left.splice(left.indexOf(pick), 1);
  }
  return out;
}

describe('series-parallel decomposition (fast-check seed 61)', () => {
  it('replaying the decomposition of a random series-parallel graph gives back its edges exactly', () => {
    fc.assert(fc.property(shapeArb, fc.integer(), (shape, seed) => {
      const nodes: GraphNode[] = [];
      const merges = new Set<string>();
      const out = build({ kind: 'series', parts: [shape, { kind: 'node' }] }, 'in', nodes, merges);
      const all = [{ name: 'in', inputs: [] }, ...shuffledTopological(nodes, seed)];
      const items = seriesParallel(all, 'in', out, (n) => merges.has(n));
      const got = new Map<string, string[]>();
      expect(replay(items, 'in', got)).toBe(out);
      expect(Object.fromEntries([...got].sort())).toEqual(Object.fromEntries(nodes.map((n) => [n.name, [...n.inputs]]).sort()));
    }), { seed: 61, numRuns: 300 });
  });

  const refuse = (nodes: GraphNode[], output: string, merges: string[]): string => {
    try {
      seriesParallel([{ name: 'in', inputs: [] }, ...nodes], 'in', output, (n) => merges.includes(n));
    } catch (e) {
      expect(e).toBeInstanceOf(BadInputError);
      return (e as Error).message;
    }
    throw new Error('expected a refusal');
  };

  it('graphs that are not series-parallel, or not one-input one-output, are refused naming the nodes', () => {
    // The bridge: a skips past the first merge.
    expect(refuse([{ name: 'a', inputs: ['in'] }, { name: 'm1', inputs: ['a', 'in'] }, { name: 'b', inputs: ['m1'] }, { name: 'm2', inputs: ['b', 'a'] }], 'm2', ['m1', 'm2']))
      .toBe('layer "a" feeds two branches of merge layer "m2" (through "b" and "a"): the layer graph is not series-parallel');
    // Branches that meet at a layer that is not a merge.
    expect(refuse([{ name: 'a', inputs: ['in'] }, { name: 'x', inputs: ['a', 'in'] }], 'x', []))
      .toBe('the branches that fork at "in" meet at layer "x", which is not a merge layer (Add, Concatenate)');
    // A dead end and a second input.
    expect(refuse([{ name: 'a', inputs: ['in'] }, { name: 'dead', inputs: ['a'] }, { name: 'b', inputs: ['a'] }], 'b', []))
      .toBe('layer "dead" does not lead to the model\'s output "b" (one input, one output only)');
    expect(refuse([{ name: 'in2', inputs: [] }, { name: 'm', inputs: ['in', 'in2'] }], 'm', ['m']))
      .toBe('layer "in2" does not depend on the model\'s input "in" (one input only)');
    // A merge that joins a branch of an outer fork with the inside of another.
    expect(refuse([
      { name: 'a', inputs: ['in'] }, { name: 'b', inputs: ['in'] }, { name: 'c', inputs: ['a'] },
      { name: 'm1', inputs: ['a', 'b'] }, { name: 'm2', inputs: ['m1', 'c'] },
    ], 'm2', ['m1', 'm2'])).toMatch(/^layer "a" feeds two branches of merge layer "m2"/);
  });
});
