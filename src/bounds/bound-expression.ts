/**
 * A bound (or hypothesis) as a mathjs expression: one source string that is both evaluated
 * (float64, mathjs's default number type) and rendered to LaTeX (mathjs `toTex`), so the formula
 * a theorem file checks is the formula its report prints (DESIGN.md, "A theorem file").
 *
 * The source may be a block of assignments ending in the bound, e.g.
 *   oneMinusRho = (2 mu / N)(alpha − N L alpha²/2); rho = 1 − oneMinusRho; rho^T gap0 + …
 * Free variables (those never assigned) must all be given, finite, at evaluation; assigned names
 * are intermediate. `texSymbols` maps variable names to LaTeX (e.g. gap0 → (F(w_0) − F^*)).
 */
import { parse, type MathNode } from 'mathjs';
import { BadInputError } from '../errors.ts';

/** A named mathjs expression with evaluation and LaTeX rendering. */
export class BoundExpression {
  readonly id: string;
  readonly source: string;
  readonly description: string;
  /** Free variables, in order of first appearance. */
  readonly variables: readonly string[];
  private readonly node: MathNode;
  private readonly compiled: { evaluate(scope?: object): unknown };
  private readonly texSymbols: Readonly<Record<string, string>>;

  constructor(id: string, source: string, description: string, texSymbols: Record<string, string> = {}) {
    this.id = id;
    this.source = source;
    this.description = description;
    this.texSymbols = texSymbols;
    this.node = parse(source);
    this.compiled = this.node.compile();
    const assigned = new Set<string>();
    const seen: string[] = [];
    this.node.traverse((n) => {
      if (n.type === 'AssignmentNode') {
        const name = (n as unknown as { object: { name?: string } }).object.name;
        if (name) assigned.add(name);
      }
    });
    this.node.traverse((n, _path, parent) => {
      if (n.type !== 'SymbolNode') return;
      const name = (n as unknown as { name: string }).name;
      // Function names (e.g. `exp` in exp(x)) are SymbolNodes under a FunctionNode's `fn`.
      if (parent && parent.type === 'FunctionNode' && (parent as unknown as { fn: MathNode }).fn === n) return;
      if (!assigned.has(name) && !seen.includes(name)) seen.push(name);
    });
    this.variables = seen;
  }

  /** Evaluates with the given free variables (all required, finite); returns the last value. */
  evaluate(scope: Readonly<Record<string, number>>): number {
    const v = this.raw(scope);
    if (typeof v !== 'number') throw new Error(`${this.id}: expression did not evaluate to a number`);
    return v;
  }

  /** Evaluates a predicate (e.g. a hypothesis `alpha < 2 / (N * L)`). */
  holds(scope: Readonly<Record<string, number>>): boolean {
    const v = this.raw(scope);
    if (typeof v !== 'boolean') throw new Error(`${this.id}: expression is not a predicate`);
    return v;
  }

  /** LaTeX of the whole source (assignments included), with the `texSymbols` substitutions. */
  tex(): string {
    const map = this.texSymbols;
    return this.node.toTex({
      parenthesis: 'auto',
      handler: (n: MathNode) => (n.type === 'SymbolNode' && map[(n as unknown as { name: string }).name] !== undefined ? map[(n as unknown as { name: string }).name] : undefined),
    } as object);
  }

  private raw(scope: Readonly<Record<string, number>>): unknown {
    const s: Record<string, number> = {};
    for (const name of this.variables) {
      const v = scope[name];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new BadInputError(`${this.id}: variable ${name} must be a finite number (got ${String(v)})`);
      s[name] = v;
    }
    const out = this.compiled.evaluate(s);
    const entries = (out as { entries?: unknown[] } | undefined)?.entries;
    return Array.isArray(entries) ? entries[entries.length - 1] : out;
  }
}
