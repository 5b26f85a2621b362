// The vitest config Stryker uses for a scope that names its tests (stryker.config.mjs, TESTS):
// only those files run, so the dry run does not run every test that imports the scope
// transitively (the CLI, the report, the probe). MUTATION_TESTS: comma-separated globs.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

const include = process.env.MUTATION_TESTS?.split(',').filter(Boolean);
export default defineConfig({ test: { ...base.test, ...(include ? { include } : {}) } });
