/**
 * The `--queue URL` of the coordinator commands and of `gradconf worker`: a Redis URL
 * `redis://[user:pass@]host:port[/db]` or `rediss://…` (TLS), parsed into ioredis options for
 * BullMQ, with a one-line error naming the problem for a malformed URL, a refused password or an
 * unreachable server.
 *
 * TLS: `rediss://` turns TLS on with Node's defaults (server certificate checked against the
 * system CAs and the host name); a private CA is added the Node way, `NODE_EXTRA_CA_CERTS=ca.pem`.
 * Passwords in the URL are percent-decoded (`%40` for `@`); they never appear in messages
 * ({@link QueueTarget.display} shows `***`).
 */
import { isIP } from 'node:net';
import type { RedisOptions } from 'ioredis';
import { Redis } from 'ioredis';
import { BadInputError } from '../errors.ts';

/** Where the queue lives. */
export interface QueueTarget {
  /** ioredis options (BullMQ creates its connections from them). */
  redis: RedisOptions;
  /** The URL with the password replaced by `***`, for messages. */
  display: string;
}

/** BullMQ key prefix of gradconf's queues (`gradconf:<queue>:…`). */
export const QUEUE_PREFIX = 'gradconf';

/** The queue of a tfjs backend: workers only take units for the backend they run. */
export function queueName(backend: string): string {
  return `units-${backend}`;
}

/** Parse `--queue`. @throws BadInputError naming what is wrong with the URL. */
export function parseQueueUrl(url: string): QueueTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new BadInputError(`--queue must be a Redis URL redis://[user:pass@]host:port[/db] or rediss://… (got "${url}")`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new BadInputError(`--queue must be a Redis URL redis://[user:pass@]host:port[/db] or rediss://… (got "${redact(url)}")`);
  }
  if (u.hostname === '') throw new BadInputError(`--queue has no host (got "${redact(url)}")`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d+$/.test(dbText)) throw new BadInputError(`--queue: the database must be a non-negative integer after the port (got "/${dbText}")`);
  const db = dbText === '' ? 0 : Number(dbText);
  if (u.search !== '' || u.hash !== '') throw new BadInputError('--queue takes no query or fragment (a private TLS CA goes in NODE_EXTRA_CA_CERTS)');
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new BadInputError('--queue: the user or password is not valid percent-encoding');
    }
  };
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const redis: RedisOptions = {
    host, port, db,
    ...(u.username !== '' ? { username: decode(u.username) } : {}),
    ...(u.password !== '' ? { password: decode(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: isIP(host) ? {} : { servername: host } } : {}),
    // BullMQ requires this for workers (blocking commands); reconnect forever, at most every 2 s.
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
  };
  return { redis, display: redact(url) };
}

/** The URL with its password replaced by `***`. */
export function redact(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

/**
 * Connect once and PING, so that a wrong URL fails at once with one line instead of the
 * reconnect loop. @throws BadInputError (unreachable, TLS failure, authentication refused).
 */
export async function checkQueue(target: QueueTarget, timeoutMs = 5000): Promise<void> {
  const client = new Redis({ ...target.redis, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs, enableOfflineQueue: false });
  let first: Error | undefined;
  client.on('error', (e: Error) => { first ??= e; });
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    // The first error event says why (ECONNREFUSED, a certificate problem, WRONGPASS); the
    // rejection itself often only says "Connection is closed".
    const m = ((first ?? (e as Error))?.message ?? String(e)).split('\n')[0]!;
    if (/WRONGPASS|NOAUTH|invalid password|invalid username/i.test(m)) throw new BadInputError(`Redis at ${target.display} refused the credentials (${m})`);
    throw new BadInputError(`cannot reach Redis at ${target.display}: ${m}`);
  } finally {
    client.disconnect();
  }
}
