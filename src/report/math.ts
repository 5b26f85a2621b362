/**
 * Math for the report, typeset at build time to MathML (Temml) so that the page needs no script
 * and no font: Chromium, Firefox and Safari render MathML Core natively.
 *
 * - `mathjsTex`: the LaTeX of a mathjs expression (the very source a check evaluates, e.g. a
 *   statement's `bound` or a BoundExpression's `source`), with variable names set as math
 *   (eta → η, G_beta → G_β, zeta0 → ζ₀, tol → tol upright).
 * - `boundHtml`: a statement's bound, which may mix mathjs expressions with words
 *   ("…; ICLR: d instead of l d + l^2 beta"): each part that is a mathjs expression is set from its
 *   LaTeX, the rest as prose with inline math.
 * - `proseHtml`: a sentence with inline math. `$…$` marks math explicitly; without it, runs of
 *   tokens that carry math characters (Greek letters, ^, _, ≤, ‖, ², …) are set as math, so the
 *   statements' Unicode wording ("E[F(w_T) − F*] ≤ ρ^T (F(w_0) − F*) + αη/(1 − ρ)") reads as
 *   typeset math.
 * Every piece of math is a `<span class="math">` or `<div class="math">` holding one `<math>`
 * element; a piece Temml cannot parse is left as text (class "math-fallback"), never as an error.
 */
import temml from 'temml';
import { parse, type MathNode } from 'mathjs';

/** Escape text for HTML. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const GREEK = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi', 'pi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'chi', 'psi', 'omega'];
const GREEK_UPPER = ['Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi', 'Sigma', 'Upsilon', 'Phi', 'Psi', 'Omega'];
const isGreek = (s: string) => GREEK.includes(s) || GREEK_UPPER.includes(s);

/** LaTeX of a variable name: greek names as letters, `a_b` and trailing digits as subscripts, other words upright. */
export function texName(name: string): string {
  if (isGreek(name)) return `\\${name}`;
  const us = name.indexOf('_');
  if (us > 0 && us < name.length - 1) return `${texName(name.slice(0, us))}_{${texSub(name.slice(us + 1))}}`;
  const digits = /^([A-Za-z]+?)(\d+)$/.exec(name);
  if (digits) return `${texName(digits[1]!)}_{${digits[2]}}`;
  const camel = /^([a-z]+)([A-Z]\w*)$/.exec(name);
  if (camel && isGreek(camel[1]!)) return `\\${camel[1]}_{\\mathrm{${camel[2]!.charAt(0).toLowerCase()}${camel[2]!.slice(1)}}}`;
  if (name.length === 1) return `{${name}}`;
  return `{\\mathrm{${name}}}`;
}

function texSub(s: string): string {
  if (isGreek(s)) return `\\${s}`;
  if (/^\w{1,3}$/.test(s) && !/^[A-Za-z]{2,}$/.test(s)) return s; // 0, ij, 12, p1
  if (/^[a-z]{1,2}$/.test(s)) return s; // i, ij
  return texName(s);
}

/** Mathjs parses words as implicit products ("d instead of l"): such a part is prose, not math. */
function looksLikeProse(node: MathNode): boolean {
  let prose = false;
  node.traverse((n) => {
    const op = n as unknown as { type: string; implicit?: boolean; args?: MathNode[] };
    if (op.type === 'OperatorNode' && op.implicit) {
      for (const a of op.args ?? []) {
        const name = (a as unknown as { type: string; name?: string }).type === 'SymbolNode' ? (a as unknown as { name: string }).name : '';
        if (name.length >= 3 && !isGreek(name) && /^[A-Za-z]+$/.test(name)) prose = true;
      }
    }
  });
  return prose;
}

/** LaTeX of a mathjs expression, or null when it is not one (or reads as words). */
export function mathjsTex(expr: string): string | null {
  let node: MathNode;
  try {
    node = parse(expr);
  } catch {
    return null;
  }
  if (looksLikeProse(node)) return null;
  const handler = (n: MathNode) => {
    if (n.type === 'SymbolNode') return texName((n as unknown as { name: string }).name);
    return undefined;
  };
  try {
    const blocks = (node as unknown as { type: string; blocks?: { node: MathNode }[] }).type === 'BlockNode'
      ? (node as unknown as { blocks: { node: MathNode }[] }).blocks.map((b) => b.node) : [node];
    return blocks.map((b) => b.toTex({ parenthesis: 'auto', implicit: 'hide', handler } as object)).join(',\\quad ');
  } catch {
    return null;
  }
}

/** MathML of a LaTeX string (inline, or display), or null when Temml cannot parse it. */
export function texToMathml(tex: string, display = false): string | null {
  try {
    return temml.renderToString(tex, { displayMode: display, throwOnError: true });
  } catch {
    return null;
  }
}

/** A `.math` element holding the MathML of `tex`; the escaped source (class math-fallback) when it does not parse. */
export function mathHtml(tex: string, display = false): string {
  const m = texToMathml(tex, display);
  const tag = display ? 'div' : 'span';
  return m ? `<${tag} class="math">${m}</${tag}>` : `<${tag} class="math-fallback"><code>${esc(tex)}</code></${tag}>`;
}

// ---------------------------------------------------------------------------------------------
// Prose with inline math.

const STRONG = /[α-ωΑ-Ω∇‖≤≥≠≈∈∉⊂⊆∑∏√∞²³⁴⁵⁶⁷⁸⁹⁰¹₀₁₂₃₄₅₆₇₈₉^_·×⋯∗−±→=<>|]/;
const WEAK = /^(?:[()[\]]*(?:[B-HJ-Zb-z]|\d+(?:\.\d+)?)\*?[()[\]]*|[+\-/*()[\],]|(?=.*[\d/*+])[A-Za-z0-9/()+*[\]]{1,8})$/;
/** An arrow between words ("wider -> lower"), shown as → in the text. */
const ARROW = /^(?:->|→)$/;
const FUNCS = ['exp', 'log', 'ln', 'max', 'min', 'sup', 'inf', 'sin', 'cos', 'tanh', 'Pr', 'det'];

/** LaTeX of a Unicode math run (Temml reads Unicode letters and operators; known function words set upright). */
function runTex(s: string, asciiGreek: boolean): string {
  let t = s.replace(/[%#&$]/g, (c) => `\\${c}`);
  t = t.replace(new RegExp(`(?<![A-Za-z\\\\])(${FUNCS.join('|')})(?![A-Za-z])`, 'g'), '\\$1');
  if (asciiGreek) t = t.replace(new RegExp(`(?<![A-Za-z\\\\])(${GREEK.join('|')})(?![A-Za-z])`, 'g'), '\\$1 ');
  // words inside a math run (Gram, depth, Beta) upright, not as products of italic letters
  t = t.replace(/(?<![\\A-Za-z])([A-Za-z]{3,})(?![A-Za-z])/g, '\\text{$1}');
  // F* (optimum) and f_i* as a superscript star, as the paper writes them
  t = t.replace(/([A-Za-z\})])\*(?![A-Za-z0-9({])/g, '$1^{*}');
  // a space between two operands is a thin space (TeX drops spaces: "with d (d ∈ …" would read "d(d")
  t = t.replace(/(?<=[^\s+\-−=<>≤≥≠·×/,(\[{])\s+(?=[^\s+\-−=<>≤≥≠·×/,)\]}])/g, '\\,');
  return t.replace(/½/g, '\\tfrac12 ');
}

function isStrong(tok: string, asciiGreek: boolean): boolean {
  if (STRONG.test(tok)) return true;
  if (asciiGreek && new RegExp(`^\\(?(${GREEK.join('|')})\\)?[,.;:]?$`).test(tok)) return true;
  return /^[A-Za-z]\(.*\)[,.;:]?$/.test(tok); // f(x), F(w)
}

/**
 * HTML of a sentence with inline math: `$…$` explicitly, else runs of math-looking tokens.
 * `asciiGreek`: also read ASCII greek names (beta, eta) as math (for bound fragments).
 */
export function proseHtml(text: string, asciiGreek = false): string {
  if (text.includes('$')) {
    return text.split(/(\$[^$]+\$)/).map((p) => (p.startsWith('$') && p.endsWith('$') && p.length > 2 ? mathHtml(p.slice(1, -1)) : esc(p))).join('');
  }
  const toks = text.split(/(\s+)/);
  const out: string[] = [];
  let i = 0;
  while (i < toks.length) {
    const tok = toks[i]!;
    if (/^\s*$/.test(tok)) { out.push(esc(tok)); i++; continue; }
    if (ARROW.test(tok)) { out.push('→'); i++; continue; }
    // grow a run of strong/weak tokens that holds at least one strong one
    let j = i;
    let strong = false;
    let end = i;
    while (j < toks.length) {
      const t = toks[j]!;
      if (/^\s+$/.test(t)) { j++; continue; }
      const core = t.replace(/[,.;:]+$/, '');
      if (ARROW.test(core)) break; // "wider -> lower": an arrow between words is not math
      const s = isStrong(core, asciiGreek);
      if (!s && !WEAK.test(core)) break;
      if (s) strong = true;
      end = j;
      if (core !== t) break; // trailing punctuation closes the run
      j++;
    }
    if (!strong) { out.push(esc(tok)); i++; continue; }
    let run = toks.slice(i, end + 1).join('');
    let after = '';
    const p = /[,.;:]+$/.exec(run);
    if (p) { after = p[0]; run = run.slice(0, -after.length); }
    let before = '';
    // unbalanced brackets at the edges stay text: "(d ≤ l ≥ outputs)" → "(" + math + …
    const bal = (s: string) => (s.match(/[([]/g)?.length ?? 0) - (s.match(/[)\]]/g)?.length ?? 0);
    while (bal(run) > 0 && /^[([]/.test(run)) { before += run[0]; run = run.slice(1); }
    while (bal(run) < 0 && /[)\]]$/.test(run)) { after = run.slice(-1) + after; run = run.slice(0, -1); }
    const m = run.trim() ? texToMathml(runTex(run, asciiGreek)) : null;
    out.push(esc(before), m ? `<span class="math">${m}</span>` : esc(run), esc(after));
    i = end + 1;
  }
  return out.join('');
}

// ---------------------------------------------------------------------------------------------
// Bounds.

/** Split at `sep` outside brackets. */
function splitTop(s: string, sep: RegExp): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    if (depth === 0 && sep.test(ch)) { parts.push(cur); cur = ''; } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/**
 * A statement's bound as display math: the LaTeX `tex` when given (BoundExpression.tex(), which
 * knows the result's own symbols), else each `;`/newline-separated part set from its mathjs LaTeX
 * (comma-separated pieces in turn), an optional "label: " kept as words, and any part that is not
 * a mathjs expression set as prose with inline math.
 */
export function boundHtml(expr: string, tex?: string): string {
  if (tex) {
    const lines = tex.split(/\\;\\;\s*\n|\n/).map((l) => l.trim()).filter(Boolean);
    const m = lines.map((l) => texToMathml(l, true));
    if (m.every((x) => x)) return `<div class="bound">${m.map((x) => `<div class="math">${x}</div>`).join('')}</div>`;
  }
  const parts = splitTop(expr, /[;\n]/);
  let anyMath = false;
  const rows = parts.map((part) => {
    const lab = /^([A-Za-z][\w .-]{0,20}):\s+(.*)$/s.exec(part);
    const label = lab ? lab[1]! : '';
    const body = lab ? lab[2]! : part;
    const whole = mathjsTex(body);
    let html: string;
    if (whole !== null && texToMathml(whole)) {
      anyMath = true;
      html = mathHtml(whole, true);
    } else {
      const pieces = splitTop(body, /,/);
      const texes = pieces.map(mathjsTex);
      if (pieces.length > 1 && texes.some((t) => t !== null)) anyMath = true;
      html = pieces.length > 1 || texes[0] !== null
        ? pieces.map((p, k) => (texes[k] !== null ? mathHtml(texes[k]!) : proseHtml(p, true))).join(', ')
        : proseHtml(body, true);
    }
    return `<div class="bound-part">${label ? `<span class="bound-label">${esc(label)}:</span> ` : ''}${html}</div>`;
  });
  if (!anyMath) return `<div class="bound bound-prose">${proseHtml(expr, false)}</div>`;
  return `<div class="bound">${rows.join('')}</div>`;
}
