/**
 * Series-parallel decomposition of a layer graph (a DAG from one input to one output), the shape
 * the model spec can express: a sequence of layers, where a fork and the merge that joins its
 * branches again become one `parallel` layer (`{"type": "parallel", "merge", "branches"}`), each
 * branch itself a sequence. ResNet blocks (Add of a block and the identity or a projection),
 * Inception-style concatenations and DenseNet-style Concatenate(x, f(x)) are series-parallel;
 * a graph in which a branch feeds another branch or skips past the merge is not, and is refused
 * with a one-line error naming the nodes.
 *
 * Algorithm, from node `cur` towards `dst`: the part of the graph that matters is S = the
 * descendants of cur that are ancestors of dst (dst included). If cur has one successor in S
 * and that successor has one input, it is the next layer of the sequence. Otherwise the merge M
 * is the first node, in topological order, through which every path from cur to dst passes (the
 * immediate post-dominator of cur in S); M must be a merge node, and for each input u of M, in
 * order, the branch is the decomposition of cur → u (empty when u = cur). The branches' node
 * sets must be disjoint and cover S strictly between cur and M — else the graph is not
 * series-parallel at cur. Then the sequence continues from M. O(n²) reachability checks for n
 * nodes: fine for the tens to hundreds of layers of a model.
 */
import { BadInputError } from '../src/errors.ts';

/** A node of the graph: its name and its inputs in order (names of other nodes). */
export interface GraphNode {
  name: string;
  inputs: readonly string[];
}

/** A decomposed sequence: node names in order, and parallel sections. */
export type SeriesItem = { node: string } | { merge: string; branches: SeriesItem[][] };

/**
 * Decompose the graph between `input` (exclusive) and `output` (inclusive).
 * @param nodes in topological order (every node after its inputs); `input` among them.
 * @param isMerge whether a node may join branches (e.g. tfjs Add / Concatenate).
 * @throws BadInputError naming the nodes when the graph is not series-parallel, has a node that
 *   does not lead to the output, or a fork closed by a node that is not a merge.
 */
export function seriesParallel(nodes: readonly GraphNode[], input: string, output: string, isMerge: (name: string) => boolean): SeriesItem[] {
  const order = new Map(nodes.map((n, i) => [n.name, i]));
  const preds = new Map(nodes.map((n) => [n.name, n.inputs]));
  const succs = new Map<string, string[]>(nodes.map((n) => [n.name, []]));
  for (const n of nodes) {
    for (const i of n.inputs) {
      if (!order.has(i)) throw new BadInputError(`layer "${n.name}" takes the output of "${i}", which is not a layer of the model`);
      if (order.get(i)! >= order.get(n.name)!) throw new BadInputError(`layer "${n.name}" comes before its input "${i}" (the layer graph is not in topological order)`);
      succs.get(i)!.push(n.name);
    }
  }
  if (!order.has(input) || !order.has(output)) throw new BadInputError(`the model's input "${input}" or output "${output}" is not one of its layers`);
  const ancestorsOf = (dst: string): Set<string> => {
    const seen = new Set<string>([dst]);
    const stack = [dst];
    while (stack.length) for (const p of preds.get(stack.pop()!)!) if (!seen.has(p)) { seen.add(p); stack.push(p); }
    return seen;
  };
  const reaches = (from: string, to: string, within: Set<string>, avoid: string): boolean => {
    const seen = new Set<string>([from]);
    const stack = [from];
    while (stack.length) {
      for (const s of succs.get(stack.pop()!)!) {
        if (s === to) return true;
        if (s === avoid || seen.has(s) || !within.has(s)) continue;
        seen.add(s);
        stack.push(s);
      }
    }
    return false;
  };
  const descendantsOf = (src: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [src];
    while (stack.length) for (const s of succs.get(stack.pop()!)!) if (!seen.has(s)) { seen.add(s); stack.push(s); }
    return seen;
  };
  const toOutput = ancestorsOf(output);
  for (const n of nodes) if (!toOutput.has(n.name)) throw new BadInputError(`layer "${n.name}" does not lead to the model's output "${output}" (one input, one output only)`);
  const fromInput = descendantsOf(input);
  for (const n of nodes) if (n.name !== input && !fromInput.has(n.name)) throw new BadInputError(`layer "${n.name}" does not depend on the model's input "${input}" (one input only)`);

  /** The nodes strictly after `src` that lead to `dst` (dst included). */
  const between = (src: string, dst: string): Set<string> => {
    const anc = ancestorsOf(dst);
    return new Set([...descendantsOf(src)].filter((v) => anc.has(v)));
  };

  const chain = (src: string, dst: string): SeriesItem[] => {
    const out: SeriesItem[] = [];
    let cur = src;
    while (cur !== dst) {
      const s = between(cur, dst);
      const next = succs.get(cur)!.filter((v) => s.has(v));
      const only = next.length === 1 ? next[0]! : undefined;
      if (only !== undefined && preds.get(only)!.length === 1) {
        out.push({ node: only });
        cur = only;
        continue;
      }
      // A fork at cur (or a merge fed by cur more than once): find where its branches meet.
      const candidates = [...s].sort((a, b) => order.get(a)! - order.get(b)!);
      const m = candidates.find((v) => v === dst || !reaches(cur, dst, s, v))!;
      if (preds.get(m)!.length < 2 || !isMerge(m)) {
        throw new BadInputError(`the branches that fork at "${cur}" meet at layer "${m}", which is not a merge layer (Add, Concatenate)`);
      }
      const inside = new Set([...s].filter((v) => v !== m && ancestorsOf(m).has(v)));
      const claimed = new Map<string, string>();
      const branches = preds.get(m)!.map((u) => {
        if (u !== cur && !inside.has(u)) throw new BadInputError(`merge layer "${m}" takes "${u}", which does not come from the fork at "${cur}" (the layer graph is not series-parallel)`);
        if (u === cur) return [];
        for (const v of [...between(cur, u)]) {
          const other = claimed.get(v);
          if (other !== undefined) throw new BadInputError(`layer "${v}" feeds two branches of merge layer "${m}" (through "${other}" and "${u}"): the layer graph is not series-parallel`);
          claimed.set(v, u);
        }
        return chain(cur, u);
      });
      for (const v of inside) if (!claimed.has(v)) throw new BadInputError(`layer "${v}" lies between the fork at "${cur}" and merge layer "${m}" but on none of its branches: the layer graph is not series-parallel`);
      out.push({ merge: m, branches });
      cur = m;
    }
    return out;
  };
  return chain(input, output);
}
