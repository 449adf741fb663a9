/**
 * Change propagation between nodes. Every committing write transaction sends one notification on
 * {@link CHANGE_CHANNEL} inside the transaction, so PostgreSQL delivers it only if, and right after,
 * the transaction commits (PostgreSQL docs, NOTIFY: "if a NOTIFY is executed inside a transaction, the
 * notify events are not delivered until and unless the transaction is committed"). Each node keeps one
 * dedicated connection that LISTENs, reconnecting with backoff when it drops.
 *
 * Payload: `<seq> <json>` where `seq` is the value of the change sequence the transaction drew and
 * `json` is `{"o": origin, "c": [[account, kind, key], …]}` or `{"o": origin, "w": 1}` (anything may
 * have changed). PostgreSQL caps a payload below 8000 bytes, so large change sets travel as the wildcard.
 */
import pg from 'pg';
import type { StoreChange } from '../index.js';

/** The LISTEN/NOTIFY channel. */
export const CHANGE_CHANNEL = 'iamd_changes';

/** Largest JSON part sent as a list of changes; larger sets are sent as the wildcard. */
const MAX_JSON_BYTES = 7000;

/** A decoded notification. */
export interface ChangeNotice {
  /** The change-sequence value the committing transaction drew. */
  readonly seq: number;
  /** The store instance that committed it. */
  readonly origin: string;
  /** The changes, or `'wildcard'` when anything may have changed. */
  readonly changes: readonly StoreChange[] | 'wildcard';
}

/** The JSON part of a payload for `changes` (the wildcard when they would not fit). */
export function encodeChanges(origin: string, changes: readonly StoreChange[] | 'wildcard'): string {
  if (changes !== 'wildcard') {
    const json = JSON.stringify({ o: origin, c: changes.map((c) => [c.account, c.kind, c.key]) });
    if (Buffer.byteLength(json, 'utf8') <= MAX_JSON_BYTES) return json;
  }
  return JSON.stringify({ o: origin, w: 1 });
}

/** Decodes a payload; `undefined` for anything malformed (another program may use the channel). */
export function decodeNotice(payload: string): ChangeNotice | undefined {
  const space = payload.indexOf(' ');
  if (space <= 0) return undefined;
  const seq = Number(payload.slice(0, space));
  if (!Number.isSafeInteger(seq)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.slice(space + 1));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { o, c, w } = parsed as { o?: unknown; c?: unknown; w?: unknown };
  if (typeof o !== 'string') return undefined;
  if (w === 1) return { seq, origin: o, changes: 'wildcard' };
  if (!Array.isArray(c)) return undefined;
  const changes: StoreChange[] = [];
  for (const item of c) {
    if (!Array.isArray(item) || item.length !== 3 || !item.every((part) => typeof part === 'string'))
      return undefined;
    const [account, kind, key] = item as [string, string, string];
    changes.push({ account, kind: kind as StoreChange['kind'], key });
  }
  return { seq, origin: o, changes };
}

/** Options for {@link ChangeFeed}. */
export interface ChangeFeedOptions {
  /** Connection settings of the dedicated listening connection. */
  readonly client: pg.ClientConfig;
  /** Called for every notification on {@link CHANGE_CHANNEL}. */
  readonly onNotice: (notice: ChangeNotice) => void;
  /** Called when the listening connection is lost (notifications may be missed from now on). */
  readonly onDown: (error: unknown) => void;
  /** Called when listening again after a loss (notifications were possibly missed meanwhile). */
  readonly onRecovered: () => void;
  /** First reconnect delay (ms); doubles up to {@link maxBackoffMs}. Default 100. */
  readonly minBackoffMs?: number;
  /** Longest reconnect delay (ms). Default 2000. */
  readonly maxBackoffMs?: number;
}

/** One LISTENing connection with automatic reconnect. */
export class ChangeFeed {
  readonly #options: ChangeFeedOptions;
  #client: pg.Client | undefined;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #backoff: number;

  constructor(options: ChangeFeedOptions) {
    this.#options = options;
    this.#backoff = options.minBackoffMs ?? 100;
  }

  /** Whether the listening connection is up. */
  get connected(): boolean {
    return this.#client !== undefined;
  }

  /** Connects and LISTENs; rejects when the first connection fails (the store fails to open). */
  async start(): Promise<void> {
    await this.#connect();
  }

  async #connect(): Promise<void> {
    const client = new pg.Client(this.#options.client);
    // Without an 'error' listener a dropped socket would crash the process (EventEmitter semantics).
    // While connecting, failures arrive as the rejection of `connect()` instead.
    const ignore = (): void => undefined;
    client.on('error', ignore);
    try {
      await client.connect();
      client.on('notification', (message) => {
        if (message.channel !== CHANGE_CHANNEL || message.payload === undefined) return;
        const notice = decodeNotice(message.payload);
        if (notice) this.#options.onNotice(notice);
      });
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    let lost = false;
    const onLost = (error: unknown): void => {
      if (lost) return;
      lost = true;
      client.removeAllListeners('notification');
      if (this.#client === client) this.#client = undefined;
      void client.end().catch(() => undefined);
      if (this.#closed) return;
      this.#options.onDown(error);
      this.#schedule();
    };
    client.off('error', ignore);
    client.on('error', onLost);
    client.on('end', () => onLost(new Error('the listening connection ended')));
    this.#client = client;
    this.#backoff = this.#options.minBackoffMs ?? 100;
  }

  #schedule(): void {
    if (this.#closed || this.#timer) return;
    const delay = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, this.#options.maxBackoffMs ?? 2000);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#connect().then(
        () => {
          if (!this.#closed) this.#options.onRecovered();
        },
        () => this.#schedule(),
      );
    }, delay);
    this.#timer.unref();
  }

  /** Stops listening for good. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const client = this.#client;
    this.#client = undefined;
    if (client) await client.end().catch(() => undefined);
  }
}
