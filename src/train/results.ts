/**
 * A sweep's results on disk: `runs.jsonl`, one JSON record per finished task (learning-rate tuning
 * or training run), and `sweep.json`, the configuration the records belong to.
 *
 * Atomicity: a record is appended by writing the old contents plus the new line to a temporary
 * file in the same directory, fsync-ing it and renaming it over the results file. A rename within
 * a directory is atomic on POSIX file systems, so after a kill (at any instant) the file holds
 * either every earlier record or every earlier record plus the new one — never a partial line.
 * (The rewrite costs O(file size) per record; sweeps write tens to hundreds of records.)
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BadInputError } from '../errors.ts';

/** Any record of a results file: it has a unique `key` and a `type`. */
export interface KeyedRecord { key: string; type: string }

/** Name of the results file inside a sweep's output directory (one JSON record per line). */
export const RESULTS_FILE = 'runs.jsonl';
/** Name of the file holding the sweep's configuration (resume checks it). */
export const CONFIG_FILE = 'sweep.json';

/** Write `text` to `file` atomically (temp file in the same directory, fsync, rename). */
export function writeFileAtomic(file: string, text: string | Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  try {
    const dfd = openSync(dirname(file), 'r');
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch {
    // Directory fsync is not supported everywhere; the rename is still atomic.
  }
}

/** Append one record as a JSON line, atomically (see the module doc). */
export function appendRecordAtomic(file: string, record: KeyedRecord): void {
  const old = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
  const sep = old.length > 0 && old[old.length - 1] !== 0x0a ? '\n' : '';
  writeFileAtomic(file, Buffer.concat([old, Buffer.from(`${sep}${JSON.stringify(record)}\n`, 'utf8')]));
}

/**
 * Read a results file: every non-empty line must be a JSON object with a string `key` and
 * `type`, keys unique. Missing file → [].
 * @throws BadInputError naming the file and line of a malformed or duplicate record.
 */
export function readRecords<T extends KeyedRecord = KeyedRecord>(file: string): T[] {
  if (!existsSync(file)) return [];
  const out: T[] = [];
  const seen = new Set<string>();
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (e) {
      throw new BadInputError(`${file}:${i + 1}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
    }
    const r = rec as Partial<KeyedRecord> | null;
    if (typeof r !== 'object' || r === null || typeof r.key !== 'string' || typeof r.type !== 'string') {
      throw new BadInputError(`${file}:${i + 1}: a record must be a JSON object with string "key" and "type"`);
    }
    if (seen.has(r.key)) throw new BadInputError(`${file}:${i + 1}: duplicate record "${r.key}"`);
    seen.add(r.key);
    out.push(rec as T);
  });
  return out;
}
