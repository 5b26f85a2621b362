// Worker-thread entry of a queue worker's unit threads (src/queue/unit-threads.ts). A worker thread
// starts without the parent's TypeScript loader, so register tsx's ESM loader in this thread
// first (as src/train/worker-entry.js does), then load the TypeScript side.
import { register } from 'tsx/esm/api';

register();
await import('./unit-thread.ts');
