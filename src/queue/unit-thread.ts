/**
 * The inside of one unit thread of a queue worker (src/queue/unit-threads.ts): it has its own
 * tfjs instance (initialized on its first unit and kept), runs one unit at a time
 * (src/queue/units.ts executeUnit) and answers with `{ result }` (JSON text, non-finite numbers
 * kept) or `{ error, badInput }`; `{ progress }` messages report finished epochs.
 */
import { parentPort } from 'node:worker_threads';
import { BadInputError } from '../errors.ts';
import { toWire, executeUnit, type Unit } from './units.ts';

/** Parent → thread. */
export interface ThreadRequest { unit: Unit; attempt: number }
/** Thread → parent. */
export type ThreadReply =
  | { progress: { epoch: number } }
  | { result: string }
  | { error: string; badInput: boolean };

const port = parentPort!;
port.on('message', (msg: ThreadRequest) => {
  void (async () => {
    try {
      const result = await executeUnit(msg.unit, { attempt: msg.attempt, progress: (p) => port.postMessage({ progress: p } satisfies ThreadReply) });
      port.postMessage({ result: toWire(result) } satisfies ThreadReply);
    } catch (e) {
      const badInput = e instanceof BadInputError;
      const message = ((e as Error)?.message ?? String(e)).split('\n')[0]!;
      port.postMessage({ error: message, badInput } satisfies ThreadReply);
    }
  })();
});
port.postMessage({ ready: true });
