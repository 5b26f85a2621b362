/** Tiny argument helpers for the bench scripts: a bad value is a one-line error and exit 2. */
export function benchArgs(argv: string[]) {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) fail(`${name} needs a value`);
    return v;
  };
  return {
    has: (name: string) => argv.includes(name),
    str: get,
    int(name: string, min = 1): number | undefined {
      const s = get(name);
      if (s === undefined) return undefined;
      const v = Number(s);
      if (!Number.isInteger(v) || v < min) fail(`${name} must be an integer ≥ ${min} (got "${s}")`);
      return v;
    },
    list(name: string): string[] | undefined {
      return get(name)?.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
    },
  };
}

export function fail(msg: string): never {
  process.stderr.write(`gradconf: ${msg}\n`);
  process.exit(2);
}
