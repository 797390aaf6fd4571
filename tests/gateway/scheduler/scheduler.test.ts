/**
 * The scheduler runs its passes in the background: start-up does not wait for the first one,
 * a long pass gives the event loop back between members (tills are answered meanwhile), and
 * stop() ends a pass at a member boundary; the next pass posts what is left, once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/src/core/logger.ts';
import type { Ledger } from '../../../gateway/src/ledger/index.ts';
import type { Program } from '../../../gateway/src/program/schema.ts';
import { Scheduler } from '../../../gateway/src/scheduler/scheduler.ts';
import { openStoreLedger } from '../../../gateway/src/store-ledger.ts';
import { loadDemoProgram } from '../../fakes/gateway-fixture.ts';
import { makeTempDir } from '../../fakes/temp-dir.ts';

const MEMBERS = 200;
const TODAY = new Date('2026-11-23T12:00:00+04:00'); // birthdays on 11-23 are due

let dir: ReturnType<typeof makeTempDir>;
let ledger: Ledger;
let program: Program;
const birthdaysPosted = () =>
  (
    ledger.db.prepare("SELECT count(*) AS n FROM member_events WHERE event LIKE 'birthday:%'").get() as {
      n: number;
    }
  ).n;

beforeEach(async () => {
  dir = makeTempDir('le-sched-');
  ledger = openStoreLedger({ dataDir: dir.path });
  program = await loadDemoProgram();
  for (let i = 0; i < MEMBERS; i++)
    ledger.addMember({
      id: `b${i}`,
      firstName: `B${i}`,
      birthDate: '1990-11-23',
      tier: program.tiers.levels[0]!.id,
      enrolledAt: '2025-01-01T00:00:00+04:00',
    });
});
afterEach(() => {
  ledger.close();
  dir.remove();
});

const scheduler = () =>
  new Scheduler({
    ledger,
    program: () => program,
    storeId: 's1',
    chain: false,
    logger: silentLogger,
    now: () => TODAY,
    intervalMs: 3_600_000,
    sliceMs: 0,
  });

describe('the scheduler', () => {
  it('starts without running a pass; the pass follows in the background', async () => {
    const s = scheduler();
    s.start();
    expect(birthdaysPosted()).toBe(0);
    await new Promise<void>((resolve) => setImmediate(resolve));
    await s.pass(); // the pass under way
    expect(birthdaysPosted()).toBe(MEMBERS);
    await s.stop();
  });

  it('gives the event loop back between members during a long pass', async () => {
    const s = scheduler();
    const seen: number[] = [];
    const pass = s.pass();
    const watch = setInterval(() => seen.push(birthdaysPosted()), 0);
    await pass;
    clearInterval(watch);
    expect(birthdaysPosted()).toBe(MEMBERS);
    // Timers ran while the pass was half done.
    expect(seen.some((n) => n > 0 && n < MEMBERS)).toBe(true);
  });

  it('stop() ends a pass at a member boundary; the next pass posts the rest, each once', async () => {
    const first = scheduler();
    void first.pass();
    await new Promise<void>((resolve) => setImmediate(resolve));
    await first.stop();
    const partial = birthdaysPosted();
    expect(partial).toBeLessThan(MEMBERS);
    const second = scheduler();
    await second.pass();
    expect(birthdaysPosted()).toBe(MEMBERS);
    await second.pass();
    expect(birthdaysPosted()).toBe(MEMBERS);
    expect(ledger.verify()).toEqual([]);
  });

  it('a restart on the same day does not run the daily jobs again (the day is kept in the ledger)', async () => {
    const first = scheduler();
    await first.pass();
    await first.stop();
    expect(birthdaysPosted()).toBe(MEMBERS);
    // Enrolled after today's daily run: a restarted gateway treats it as the running one would.
    ledger.addMember({
      id: 'late',
      firstName: 'Late',
      birthDate: '1990-11-23',
      tier: program.tiers.levels[0]!.id,
      enrolledAt: '2026-11-23T11:00:00+04:00',
    });
    const restarted = scheduler();
    restarted.start();
    await new Promise<void>((resolve) => setImmediate(resolve));
    await restarted.pass();
    await restarted.stop();
    expect(birthdaysPosted()).toBe(MEMBERS);
  });
});
