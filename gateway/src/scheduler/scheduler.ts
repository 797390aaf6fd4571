import type { Logger } from '../core/logger.ts';
import type { Service } from '../core/service.ts';
import { formatDate, localDateOf } from '../engine/calendar.ts';
import { getStoreState, setStoreState } from '../ledger/store-state.ts';
import { type JobDeps, runDueJobsSliced } from './store-jobs.ts';

export interface SchedulerOptions extends JobDeps {
  logger: Logger;
  now: () => Date;
  /** How often due jobs are looked for; daily jobs run on the first pass of each local day. */
  intervalMs?: number;
  /** Work between two yields to the event loop (default 2 ms: a till's request waits at most that). */
  sliceMs?: number;
}

/**
 * Runs the store's scheduled jobs (hold and lot expiry, yearly events, daily tiers) in
 * standalone mode, and hold and lot expiry in a chain. Passes run in the background, in
 * slices that yield to the event loop, so neither start-up nor the tills wait for a long
 * one (a tier review of 100 000 members takes tens of seconds on a Pi); passes never
 * overlap. A failing pass is logged and retried on the next one; every job's transactions
 * are idempotent, so a pass run twice posts once.
 */
export class Scheduler implements Service {
  readonly name = 'scheduler';
  private timer: NodeJS.Timeout | null = null;
  /** The local day the daily jobs last ran to the end: kept in the ledger, so a restart skips them. */
  private lastDay: string | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {}

  /** Returns at once: the first pass starts on the next turn of the event loop. */
  start(): void {
    this.stopped = false;
    this.lastDay = getStoreState(this.options.ledger.db, 'scheduler.lastDailyRun');
    const tick = () => {
      if (!this.running) void this.pass();
    };
    this.timer = setInterval(tick, this.options.intervalMs ?? 60_000);
    this.timer.unref();
    setImmediate(tick);
  }

  /** Stops the timer and waits for a pass under way to reach a member boundary. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; public so an operator command or a test can run it at a chosen instant. */
  pass(now = this.options.now()): Promise<void> {
    if (this.running) return this.running;
    this.running = this.run(now).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(now: Date): Promise<void> {
    if (this.stopped) return;
    const day = formatDate(localDateOf(now.toISOString(), this.options.program().timezone));
    const started = performance.now();
    try {
      const counts = await runDueJobsSliced(this.options, now, day !== this.lastDay, {
        stopped: () => this.stopped,
        ...(this.options.sliceMs === undefined ? {} : { sliceMs: this.options.sliceMs }),
      });
      if (!counts) return; // stopped half way: the next start does it again
      if (day !== this.lastDay) setStoreState(this.options.ledger.db, 'scheduler.lastDailyRun', day);
      this.lastDay = day;
      if (counts.holds + counts.expiries + counts.events + counts.tiers > 0)
        this.options.logger.info('scheduled jobs posted', {
          ...counts,
          ms: Math.round(performance.now() - started),
        });
    } catch (error) {
      this.options.logger.error('scheduled jobs failed; retrying on the next pass', { error: String(error) });
    }
  }
}
