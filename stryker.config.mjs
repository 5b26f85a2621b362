// Mutation testing (`npm run mutation`, not part of `npm test`): Stryker with its vitest runner.
// One scope per run: SCOPE=sgd|bounds|stats|theorems|rules|init|loss npm run mutation
// (all scopes in turn without SCOPE). Incremental: results are reused from reports/stryker-incremental-<scope>.json.
const SCOPES = {
  sgd: ['src/sgd/**/*.ts', '!src/sgd/**/*.test.ts'],
  bounds: ['src/bounds/**/*.ts', '!src/bounds/**/*.test.ts'],
  stats: ['src/stats/**/*.ts', '!src/stats/**/*.test.ts', 'src/claims/**/*.ts', '!src/claims/**/*.test.ts'],
  theorems: ['theorems/**/*.ts', '!theorems/**/*.test.ts'],
  rules: ['src/probe/rules/**/*.ts', '!src/probe/rules/**/*.test.ts'],
  init: ['models/init.ts'],
  loss: ['models/loss.ts'],
};
// Test files per scope (optional): only these run (vitest.mutation.config.ts), instead of every test
// related to the scope through imports.
const TESTS = {
  sgd: ['src/sgd/**/*.test.ts', 'src/bounds/**/*.test.ts', 'theorems/theorem-3-1.test.ts', 'theorems/theorem-3-2.test.ts'],
  bounds: ['src/bounds/**/*.test.ts', 'src/sgd/**/*.test.ts', 'theorems/theorem-3-1.test.ts', 'theorems/theorem-3-2.test.ts'],
};
const scope = process.env.SCOPE ?? 'stats';
if (TESTS[scope]) process.env.MUTATION_TESTS = TESTS[scope].join(',');
if (!SCOPES[scope]) throw new Error(`unknown SCOPE ${scope}; known: ${Object.keys(SCOPES).join(', ')}`);
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: TESTS[scope] ? { configFile: 'vitest.mutation.config.ts', related: false } : { configFile: 'vitest.config.ts', related: true },
  mutate: SCOPES[scope],
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: `reports/stryker-incremental-${scope}.json`,
  reporters: ['clear-text', 'json', 'progress'],
  jsonReporter: { fileName: `reports/mutation-${scope}.json` },
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 1),
  timeoutMS: 60000,
  tempDirName: '.stryker-tmp',
  // TypeScript 7 (the native compiler) has no JS API, which Stryker's tsconfig rewriting calls
  // (ts.parseConfigFileTextToJson): point it at a file that does not exist so that step is skipped
  // (the sandbox keeps tsconfig.json as is; vitest does not need it rewritten).
  tsconfigFile: 'stryker-skip-tsconfig-rewrite.json',
  cleanTempDir: 'always',
};
