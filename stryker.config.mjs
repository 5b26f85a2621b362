// Mutation testing (`npm run mutation`, not part of `npm test`): Stryker with its vitest runner.
// One scope per run: SCOPE=sgd|bounds|stats|theorems|runner|rules|init|loss npm run mutation
// (all scopes in turn without SCOPE). Incremental: results are reused from reports/stryker-incremental-<scope>.json.
const SCOPES = {
  sgd: ['src/sgd/**/*.ts', '!src/sgd/**/*.test.ts'],
  bounds: ['src/bounds/**/*.ts', '!src/bounds/**/*.test.ts'],
  stats: ['src/stats/**/*.ts', '!src/stats/**/*.test.ts', 'src/claims/**/*.ts', '!src/claims/**/*.test.ts'],
  theorems: ['theorems/**/*.ts', '!theorems/**/*.test.ts'],
  // The runner every result goes through, on its own synthetic-result tests (theorems/define.test.ts).
  runner: ['theorems/define.ts', 'theorems/tighten.ts'],
  rules: ['src/probe/rules/**/*.ts', '!src/probe/rules/**/*.test.ts'],
  init: ['models/init.ts'],
  loss: ['models/loss.ts'],
};
// The tests of each scope: only these run (vitest.mutation.config.ts, via MUTATION_TESTS), so a
// mutant counts as killed only if they catch it, and the runs do not pull in every slow CLI or
// theorem test that imports the scope transitively.
const TESTS = {
  sgd: ['src/sgd/**/*.test.ts', 'src/bounds/**/*.test.ts', 'theorems/theorem-3-1.test.ts', 'theorems/theorem-3-2.test.ts'],
  bounds: ['src/bounds/**/*.test.ts', 'src/sgd/**/*.test.ts', 'theorems/theorem-3-1.test.ts', 'theorems/theorem-3-2.test.ts'],
  stats: ['src/stats/**/*.test.ts', 'src/claims/**/*.test.ts'],
  theorems: ['theorems/**/*.test.ts'],
  runner: ['theorems/define.test.ts', 'theorems/tighten.test.ts'],
  rules: ['src/probe/rules/**/*.test.ts'],
  init: ['models/init*.test.ts'],
  loss: ['models/loss.test.ts'],
};
const scope = process.env.SCOPE ?? 'stats';
// STRYKER_FILE=path mutates one file of the scope (its reports get the file's name as a suffix), so
// a slow scope can be measured file by file and `npm run mutation -- --summary` adds them up.
const file = process.env.STRYKER_FILE;
const tag = file ? `${scope}--${file.replace(/^.*\//, '').replace(/\.ts$/, '')}` : scope;
if (TESTS[scope]) process.env.MUTATION_TESTS = TESTS[scope].join(',');
if (!SCOPES[scope]) throw new Error(`unknown SCOPE ${scope}; known: ${Object.keys(SCOPES).join(', ')}`);
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: TESTS[scope] ? { configFile: 'vitest.mutation.config.ts', related: false } : { configFile: 'vitest.config.ts', related: true },
  mutate: file ? [file] : SCOPES[scope],
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: `reports/stryker-incremental-${tag}.json`,
  reporters: ['clear-text', 'json', 'progress'],
  jsonReporter: { fileName: `reports/mutation-${tag}.json` },
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 1),
  // The unit tests take well under a second; a mutant that loops (e.g. a loop bound flipped) is
  // cut off after 1.5 × its tests' time + 5 s and counts as killed (Timeout).
  timeoutMS: 5000,
  tempDirName: '.stryker-tmp',
  // TypeScript 7 (the native compiler) has no JS API, so Stryker's tsconfig rewriter
  // (ts.parseConfigFileTextToJson) would throw; tsconfig.json has no extends/references to
  // rewrite, so point the rewriter at a file that does not exist and it is skipped.
  tsconfigFile: 'tsconfig.stryker-none.json',
  cleanTempDir: 'always',
};
