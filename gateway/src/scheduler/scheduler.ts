import type { Logger } from '../core/logger.ts';
import type { Service } from '../core/service.ts';
import { formatDate, localDateOf } from '../engine/calendar.ts';
import { type JobDeps, runDueJobs } from './store-jobs.ts';

export interface SchedulerOptions extends JobDeps {
  logger: Logger;
  now: () => Date;
  /** How often due jobs are looked for; daily jobs run on the first pass of each local day. */
  intervalMs?: number;
}

/**
 * Runs the store's scheduled jobs (hold and lot expiry, yearly events, daily tiers) in
 * standalone mode, and hold expiry in a chain. A failing pass is logged and retried on the
 * next one; every job's transactions are idempotent, so a pass run twice posts once.
 */
export class Scheduler implements Service {
  readonly name = 'scheduler';
  private timer: NodeJS.Timeout | null = null;
  private lastDay: string | null = null;

  constructor(private readonly options: SchedulerOptions) {}

  start(): void {
    this.pass();
    this.timer = setInterval(() => this.pass(), this.options.intervalMs ?? 60_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass; public so an operator command or a test can run it at a chosen instant. */
  pass(now = this.options.now()): void {
    const day = formatDate(localDateOf(now.toISOString(), this.options.program().timezone));
    try {
      const counts = runDueJobs(this.options, now, day !== this.lastDay);
      this.lastDay = day;
      if (counts.holds + counts.expiries + counts.events + counts.tiers > 0)
        this.options.logger.info('scheduled jobs posted', { ...counts });
    } catch (error) {
      this.options.logger.error('scheduled jobs failed; retrying on the next pass', { error: String(error) });
    }
  }
}
