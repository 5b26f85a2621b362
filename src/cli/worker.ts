/**
 * `gradconf worker --queue URL`: take units of work (sweep runs, batches of Monte-Carlo trials,
 * chunks of tightening searches) from the job queue until stopped (src/queue/worker.ts). Start one
 * per machine (or per GPU, with --backend webgpu); SIGINT/SIGTERM finish or hand back the running
 * units, then exit 0.
 */
import { Command } from 'commander';
import { initBackend } from '../backend/index.ts';
import { checkQueue, parseQueueUrl } from '../queue/connection.ts';
import { runWorker } from '../queue/worker.ts';
import { intOption, numberOption } from './common.ts';

interface WorkerOpts { queue: string; concurrency: number; backend?: string; grace: number; lockDuration: number }

/** Run `gradconf worker`; resolves to 0 after a clean stop (bad URL, credentials or backend: BadInputError, exit 2). */
export async function workerCommand(o: WorkerOpts): Promise<number> {
  const target = parseQueueUrl(o.queue);
  // Initialize (and self-check) the backend here once, so that a machine whose backend is broken
  // refuses to start instead of failing every unit it takes as bad input.
  const backend = await initBackend(o.backend);
  await checkQueue(target);
  await runWorker({ target, backend, concurrency: o.concurrency, graceMs: o.grace * 1000, lockDurationMs: o.lockDuration });
  return 0;
}

/** commander definition of `worker`. */
export function workerProgram(run: (code: Promise<number>) => void): Command {
  return new Command('worker')
    .description('take units of work (sweep runs, Monte-Carlo trial batches, tightening chunks) from a Redis job queue until stopped')
    .requiredOption('--queue <url>', 'Redis URL: redis://[user:pass@]host:port[/db] or rediss://… (TLS; private CA via NODE_EXTRA_CA_CERTS)')
    .option('--concurrency <n>', 'units at a time, one thread each (e.g. the number of cores)', intOption('--concurrency', 1), 1)
    .option('--backend <name>', 'wasm (default), cpu, webgpu, tensorflow; or GRADCONF_BACKEND; takes only units of this backend')
    .option('--grace <s>', 'on SIGINT/SIGTERM, seconds to let running units finish before handing them back', numberOption('--grace'), 10)
    .option('--lock-duration <ms>', 'job lock; a killed worker\'s units are taken up again after about 2-3 times this', intOption('--lock-duration', 500), 30_000)
    .action((o: WorkerOpts) => run(workerCommand(o)));
}
