/**
 * User-supplied expressions (e.g. a custom bound to `gradconf tighten --bound`) evaluated safely.
 *
 * Two layers of defence:
 * 1. An AST allowlist: the expression is parsed (by the trusted, full mathjs instance) and may only
 *    contain numbers, the variables the caller names, arithmetic/comparison operators,
 *    parentheses, conditionals, and calls of allowlisted functions by NAME. Rejected outright:
 *    property access (`a.b`, `a["b"]`), indexing, assignments and function definitions, objects,
 *    arrays, blocks, and any other symbol — so `cos.constructor(...)`, `f(x) = ...`, `import(...)`,
 *    `evaluate(...)` never reach evaluation.
 * 2. Evaluation in a separate mathjs instance whose `import`, `createUnit`, `evaluate`, `parse`,
 *    `simplify`, `derivative`, `compile`, `resolve` and `reviver` are replaced by functions that
 *    throw (mathjs's documented hardening), in case anything slips past layer 1.
 * The result must be a finite real number. Every failure is a BadInputError naming the problem.
 */
import { all, create, type MathNode } from 'mathjs';
import { BadInputError } from '../errors.ts';

/** Functions a bound may call. */
export const ALLOWED_FUNCTIONS = ['exp', 'log', 'sqrt', 'abs', 'min', 'max', 'pow', 'floor', 'ceil', 'log1p', 'expm1', 'sin', 'cos', 'tanh'] as const;
const ALLOWED_CONSTANTS = ['pi', 'e'] as const;

const trusted = create(all!);
const limited = create(all!);
// Keep the compiler for our own use (after vetting), then disable it and its kin inside expressions.
const limitedCompile = limited.compile;
const disabled = (name: string) => () => { throw new Error(`function ${name} is disabled`); };
limited.import(Object.fromEntries(
  ['import', 'createUnit', 'evaluate', 'parse', 'simplify', 'derivative', 'compile', 'resolve', 'reviver'].map((n) => [n, disabled(n)]),
), { override: true });

export interface CompiledBound {
  expression: string;
  tex: string;
  variables: string[];
  evaluate(scope: Record<string, number>): number;
}

function check(node: MathNode, vars: Set<string>, source: string): void {
  const bad = (what: string): never => { throw new BadInputError(`${source}: ${what} is not allowed in an expression`); };
  node.traverse((n: MathNode, _path: string, parent: MathNode | null) => {
    switch (n.type) {
      case 'ConstantNode': {
        const v = (n as unknown as { value: unknown }).value;
        if (typeof v !== 'number') bad(`the constant ${JSON.stringify(v)}`);
        break;
      }
      case 'OperatorNode': case 'ParenthesisNode': case 'ConditionalNode':
        break;
      case 'FunctionNode': {
        const fn = (n as unknown as { fn: MathNode }).fn;
        const name = fn.type === 'SymbolNode' ? (fn as unknown as { name: string }).name : undefined;
        if (!name || !(ALLOWED_FUNCTIONS as readonly string[]).includes(name)) bad(`calling ${name ?? 'a computed function'} (allowed: ${ALLOWED_FUNCTIONS.join(', ')})`);
        break;
      }
      case 'SymbolNode': {
        const name = (n as unknown as { name: string }).name;
        const isCallee = parent?.type === 'FunctionNode' && (parent as unknown as { fn: MathNode }).fn === n;
        if (!isCallee && !vars.has(name) && !(ALLOWED_CONSTANTS as readonly string[]).includes(name)) bad(`the symbol "${name}" (variables: ${[...vars].join(', ') || 'none'})`);
        break;
      }
      default:
        bad(`a ${n.type.replace(/Node$/, '').toLowerCase()} node`);
    }
  });
}

/**
 * Parse and vet an expression over the named variables; returns an evaluator and its LaTeX.
 * @throws BadInputError on a syntax error, a disallowed construct, or (when evaluated) a
 *   non-finite or non-real result or a missing variable.
 */
export function compileBound(expression: string, variables: string[], source = 'bound'): CompiledBound {
  if (typeof expression !== 'string' || expression.trim() === '') throw new BadInputError(`${source}: empty expression`);
  if (expression.length > 2000) throw new BadInputError(`${source}: expression longer than 2000 characters`);
  let node: MathNode;
  try {
    node = trusted.parse(expression);
  } catch (e) {
    throw new BadInputError(`${source}: cannot parse "${expression}": ${(e as Error).message.split('\n')[0]}`);
  }
  const vars = new Set(variables);
  check(node, vars, source);
  const code = limitedCompile(node.toString());
  return {
    expression,
    tex: node.toTex(),
    variables: [...vars],
    evaluate(scope: Record<string, number>): number {
      for (const v of vars) {
        if (typeof scope[v] !== 'number') throw new BadInputError(`${source}: no value for variable "${v}"`);
      }
      let r: unknown;
      try {
        r = code.evaluate({ ...scope });
      } catch (e) {
        throw new BadInputError(`${source}: evaluation failed: ${(e as Error).message.split('\n')[0]}`);
      }
      if (typeof r !== 'number' || !Number.isFinite(r)) throw new BadInputError(`${source}: "${expression}" is not a finite real number at ${JSON.stringify(scope)} (got ${String(r)})`);
      return r;
    },
  };
}
