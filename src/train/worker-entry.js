// Worker-thread entry of the sweep pool (src/train/sweep.ts). Worker threads start without the
// parent's TypeScript loader (tsx via bin/gradconf.js, or vitest), so register tsx's ESM loader in
// this thread, then load the TypeScript task module. Measured here: ~0.6 s per worker start.
import { register } from 'tsx/esm/api';

register();
const { runTask } = await import('./worker.ts');

export default runTask;
