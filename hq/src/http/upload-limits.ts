import { HqError } from '../errors.ts';

export interface UploadLimitOptions {
  /** Bodies of one device (or one address, before it has a device) read at once. */
  perDevice: number;
  /** Bodies read (and gunzipped, and parsed) at once across all devices. */
  concurrent: number;
  /** Bodies waiting for one of the `concurrent` slots; more are refused. */
  queued: number;
}

/** Gives a slot back; calling it twice is harmless. */
export type Release = () => void;

/**
 * How many request bodies hq inflates at once. Each ledger upload may inflate to 64 MiB and
 * parse to several times that: eight gzip bombs in parallel from one device took hq to ~1 GB.
 * A device sends one batch at a time (docs/protocol.md §2), so a second body from the same
 * device while one is being read is refused at once (`BUSY`, 429, Retry-After); past the
 * overall limit a body waits, unread (TCP holds it, not hq's memory), in a bounded queue, and
 * beyond that queue is refused too. The slot covers reading, gunzip and JSON parse only.
 */
export class UploadLimits {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly perKey = new Map<string, number>();

  constructor(private readonly options: UploadLimitOptions) {}

  /** Waits for a slot for `key`'s body, or throws `BUSY`. */
  async acquire(key: string): Promise<Release> {
    const mine = this.perKey.get(key) ?? 0;
    if (mine >= this.options.perDevice)
      throw new HqError('BUSY', `${key} already has ${mine} upload(s) being read; send one batch at a time`);
    if (this.active >= this.options.concurrent && this.waiting.length >= this.options.queued)
      throw new HqError(
        'BUSY',
        `hq is reading ${this.active} uploads and ${this.waiting.length} wait; retry`,
      );
    this.perKey.set(key, mine + 1);
    if (this.active < this.options.concurrent) this.active += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the releaser hands its slot on
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.perKey.get(key) ?? 1) - 1;
      if (left === 0) this.perKey.delete(key);
      else this.perKey.set(key, left);
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    };
  }

  /** Bodies being read and waiting now (GET /v1/health `uploads`). */
  get load(): { reading: number; waiting: number } {
    return { reading: this.active, waiting: this.waiting.length };
  }
}
