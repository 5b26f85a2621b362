/**
 * Pick and initialize the TensorFlow.js backend.
 *
 * - `wasm` (default): @tensorflow/tfjs-backend-wasm, SIMD, single-threaded in Node. It has no
 *   `Conv2DBackpropFilter` kernel; models/build.ts supplies conv weight gradients itself there.
 * - `cpu`: tfjs's pure-JS backend (always available; slowest).
 * - `webgpu`: only when the npm packages `webgpu` (Dawn for Node) and
 *   `@tensorflow/tfjs-backend-webgpu` import and Dawn finds a GPU adapter.
 * - `tensorflow`: only when `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node` imports
 *   (optional; not installable in our CI, never exercised there).
 *
 * Choice: explicit argument, else `GRADCONF_BACKEND`, else `wasm`. Asking for an unavailable one
 * throws a BadInputError that lists the available ones.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { BadInputError } from '../errors.ts';

export const BACKEND_NAMES = ['wasm', 'cpu', 'webgpu', 'tensorflow'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Dynamic import of an optional package; undefined when it is not installed or fails to load. */
async function tryImport(name: string): Promise<Record<string, unknown> | undefined> {
  try {
    return (await import(name)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Why a backend cannot be used here, or undefined when it can. Does not switch backends. */
export async function unavailableReason(name: BackendName): Promise<string | undefined> {
  switch (name) {
    case 'wasm':
    case 'cpu':
      return undefined;
    case 'webgpu': {
      const dawn = await tryImport('webgpu');
      if (!dawn) return 'the npm package "webgpu" (Dawn for Node) is not installed';
      if (!(await webgpuModule())) return 'the npm package "@tensorflow/tfjs-backend-webgpu" is not installed';
      const create = dawn.create as ((flags: string[]) => GpuLike) | undefined;
      if (typeof create !== 'function') return 'the "webgpu" package does not export create()';
      try {
        const adapter = await create([]).requestAdapter();
        if (!adapter) return 'Dawn found no GPU adapter (no GPU or no Vulkan driver)';
      } catch (e) {
        return `Dawn failed to start: ${(e as Error).message.split('\n')[0]}`;
      }
      return undefined;
    }
    case 'tensorflow':
      if (await tryImport('@tensorflow/tfjs-node-gpu')) return undefined;
      if (await tryImport('@tensorflow/tfjs-node')) return undefined;
      return 'neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed';
  }
}

/** The backends usable on this machine, in preference order. */
export async function availableBackends(): Promise<BackendName[]> {
  const out: BackendName[] = [];
  for (const b of BACKEND_NAMES) if ((await unavailableReason(b)) === undefined) out.push(b);
  return out;
}

/** Resolve the requested name (argument, then GRADCONF_BACKEND, then 'wasm'), checking spelling. */
export function requestedBackend(name?: string): BackendName {
  const want = name ?? process.env.GRADCONF_BACKEND ?? 'wasm';
  if (!(BACKEND_NAMES as readonly string[]).includes(want)) {
    throw new BadInputError(`unknown backend "${want}"; known backends: ${BACKEND_NAMES.join(', ')}`);
  }
  return want as BackendName;
}

type WebgpuModule = { WebGPUBackend?: new (device: unknown, info?: unknown) => tf.KernelBackend };
let providedWebgpu: WebgpuModule | undefined;

/**
 * Hand over a statically imported `@tensorflow/tfjs-backend-webgpu` (a bundle cannot import it
 * dynamically). Its own registration runs only when navigator.gpu exists at import time, so
 * `initBackend('webgpu')` registers the backend itself from the module's WebGPUBackend class.
 */
export function provideWebgpuModule(mod: WebgpuModule): void {
  providedWebgpu = mod;
}

async function webgpuModule(): Promise<WebgpuModule | undefined> {
  return providedWebgpu ?? ((await tryImport('@tensorflow/tfjs-backend-webgpu')) as WebgpuModule | undefined);
}

interface GpuLike { requestAdapter(o?: unknown): Promise<{ features: Set<string>; limits: Record<string, number>; info?: unknown; requestDevice(d: unknown): Promise<unknown> } | null> }

async function installWebgpu(): Promise<void> {
  const dawn = (await tryImport('webgpu')) as { create: (f: string[]) => GpuLike; globals?: Record<string, unknown> };
  if (dawn.globals) Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  const g = globalThis as unknown as { navigator?: Record<string, unknown> };
  // Node 20 has no global navigator; tfjs-backend-webgpu looks for navigator.gpu.
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  const mod = await webgpuModule();
  if (tf.findBackendFactory('webgpu') || !mod?.WebGPUBackend) return;
  const Backend = mod.WebGPUBackend;
  // The same device set-up as tfjs-backend-webgpu's own registration (base.ts).
  tf.registerBackend('webgpu', async () => {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error('no GPU adapter');
    const l = adapter.limits;
    const device = await adapter.requestDevice({
      requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
      requiredLimits: Object.fromEntries(['maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize',
        'maxBufferSize', 'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup'].map((k) => [k, l[k]])),
    });
    return new Backend(device, adapter.info);
  }, 3);
}

/** Deterministic test values in [−1, 1]. */
const wave = (n: number, phase: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + phase));

/**
 * Start-up self-check of the active backend against float64 references computed in plain JS: a
 * 24×40·40×16 matMul and a 3×3 "same" conv with stride 2 on a 7×6×3 input (odd sizes, asymmetric
 * padding). Returns the relative errors max|got − want| / max|want|.
 */
export function backendSelfCheck(): { matmul: number; conv: number } {
  const [m, k, n] = [24, 40, 16];
  const a = wave(m * k, 0.3);
  const b = wave(k * n, 1.1);
  const want = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) { let s = 0; for (let q = 0; q < k; q++) s += a[i * k + q]! * b[q * n + j]!; want[i * n + j] = s; }
  const got = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])).dataSync());
  const [h, w, c, f, kk, st] = [7, 6, 3, 4, 3, 2];
  const x = wave(h * w * c, 0.7);
  const ker = wave(kk * kk * c * f, 2.3);
  const ho = Math.ceil(h / st);
  const wo = Math.ceil(w / st);
  const top = Math.floor(Math.max((ho - 1) * st + kk - h, 0) / 2);
  const left = Math.floor(Math.max((wo - 1) * st + kk - w, 0) / 2);
  const cw = new Float64Array(ho * wo * f);
  for (let i = 0; i < ho; i++) for (let j = 0; j < wo; j++) for (let o = 0; o < f; o++) {
    let s = 0;
    for (let dy = 0; dy < kk; dy++) for (let dx = 0; dx < kk; dx++) for (let ci = 0; ci < c; ci++) {
      const yy = i * st + dy - top;
      const xx = j * st + dx - left;
      if (yy >= 0 && yy < h && xx >= 0 && xx < w) s += x[(yy * w + xx) * c + ci]! * ker[((dy * kk + dx) * c + ci) * f + o]!;
    }
    cw[(i * wo + j) * f + o] = s;
  }
  const cg = tf.tidy(() => tf.conv2d(tf.tensor4d(x, [1, h, w, c]), tf.tensor4d(ker, [kk, kk, c, f]), st, 'same').dataSync());
  const rel = (g: ArrayLike<number>, r: Float64Array) => {
    let d = 0; let mx = 0;
    for (let i = 0; i < r.length; i++) { d = Math.max(d, Math.abs(g[i]! - r[i]!)); mx = Math.max(mx, Math.abs(r[i]!)); }
    return g.length === r.length ? d / mx : Infinity;
  };
  return { matmul: rel(got, want), conv: rel(cg, cw) };
}

/** Relative error above which the self-check fails (float32 sums of ≤ 40 products, any GPU precision mode). */
export const SELF_CHECK_TOL = 1e-3;

/**
 * Initialize and switch tfjs to the requested backend; returns its name.
 * @throws BadInputError for an unknown or unavailable backend (message lists the available ones).
 */
export async function initBackend(name?: string): Promise<BackendName> {
  const want = requestedBackend(name);
  if (tf.getBackend() === want) return want;
  const reason = await unavailableReason(want);
  if (reason !== undefined) {
    const avail = await availableBackends();
    throw new BadInputError(`backend "${want}" is not available: ${reason}; available: ${avail.join(', ')}`);
  }
  if (want === 'webgpu') await installWebgpu();
  const ok = await tf.setBackend(want);
  if (!ok) throw new BadInputError(`backend "${want}" failed to initialize; available: ${(await availableBackends()).join(', ')}`);
  await tf.ready();
  if (want !== 'cpu') {
    const err = backendSelfCheck();
    if (!(err.matmul <= SELF_CHECK_TOL && err.conv <= SELF_CHECK_TOL)) {
      throw new BadInputError(`backend "${want}" failed its self-check (relative error matmul ${err.matmul.toExponential(2)}, conv ${err.conv.toExponential(2)}; limit ${SELF_CHECK_TOL})`);
    }
  }
  return want;
}

/** Whether the active backend has a native conv weight-gradient kernel (wasm does not). */
export function hasConvFilterGrad(): boolean {
  return tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) !== undefined;
}
