/**
 * `npm run bench -- [--json] [--backend NAME] [--config mlp,cnn] [--time MS]`: the probe benchmark
 * (bench/probe.ts) as a script; same as `gradconf bench`.
 */
import { main } from '../src/cli/main.ts';

process.exitCode = await main(['bench', ...process.argv.slice(2)]);
