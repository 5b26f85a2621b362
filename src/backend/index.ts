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
      if (!(await tryImport('@tensorflow/tfjs-backend-webgpu'))) return 'the npm package "@tensorflow/tfjs-backend-webgpu" is not installed';
      const create = dawn.create as ((flags: string[]) => { requestAdapter(): Promise<unknown> }) | undefined;
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

async function installWebgpu(): Promise<void> {
  const dawn = (await tryImport('webgpu')) as { create: (f: string[]) => unknown; globals?: Record<string, unknown> };
  if (dawn.globals) Object.assign(globalThis, dawn.globals);
  Object.defineProperty(globalThis.navigator ?? (globalThis as Record<string, unknown>), 'gpu', { value: dawn.create([]), configurable: true });
  await tryImport('@tensorflow/tfjs-backend-webgpu');
}

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
  return want;
}

/** Whether the active backend has a native conv weight-gradient kernel (wasm does not). */
export function hasConvFilterGrad(): boolean {
  return tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) !== undefined;
}
