import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SimulatedReader } from '../../../../hardware/src/nfc/simulated/simulated-reader.ts';
import { record } from '../../helpers/events.ts';

describe('SimulatedReader', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  async function started(): Promise<SimulatedReader> {
    const reader = new SimulatedReader({ id: 'sim', removalMs: 500 });
    await reader.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(reader.online).toBe(true);
    return reader;
  }

  it('emits a normalised tap, then removed after the window', async () => {
    const reader = await started();
    const taps = record(reader, 'tap');
    const removed = record(reader, 'removed');
    expect(reader.tap('04:a1:b2:c3')).toBe('04A1B2C3');
    expect(taps).toMatchObject([{ uid: '04A1B2C3', cardType: 'unknown' }]);
    expect(taps[0]?.at).toBeInstanceOf(Date);
    await vi.advanceTimersByTimeAsync(600);
    expect(removed).toMatchObject([{ uid: '04A1B2C3' }]);
    await reader.stop();
  });

  it('repeats within the window are one tap; two cards are two taps', async () => {
    const reader = await started();
    const taps = record(reader, 'tap');
    reader.tap('AABBCCDD');
    await vi.advanceTimersByTimeAsync(200);
    reader.tap('AABBCCDD');
    reader.tap('11223344');
    expect(taps.map((t) => t.uid)).toEqual(['AABBCCDD', '11223344']);
    await vi.advanceTimersByTimeAsync(1_000);
    reader.tap('AABBCCDD');
    expect(taps).toHaveLength(3);
    await reader.stop();
  });

  it('rejects malformed UIDs and taps while offline', async () => {
    const reader = new SimulatedReader({ id: 'sim' });
    expect(() => reader.tap('04A1B2C3')).toThrow(/not online/);
    await reader.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(() => reader.tap('xyz')).toThrow(/hex/);
    await reader.stop();
  });

  it('goes offline on unplug and retries with backoff until it is back', async () => {
    const reader = new SimulatedReader({ id: 'sim', backoff: { initialMs: 100, maxMs: 400, factor: 2 } });
    const online = record(reader, 'online');
    const offline = record(reader, 'offline');
    await reader.start();
    await vi.advanceTimersByTimeAsync(0);
    reader.unplug(3); // waits 100, fails, 200, fails, 400, fails, 400 (capped), connects
    await vi.advanceTimersByTimeAsync(0);
    expect(offline).toHaveLength(1);
    expect(reader.online).toBe(false);
    await vi.advanceTimersByTimeAsync(1_099);
    expect(online).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(online).toHaveLength(2);
    expect(offline).toHaveLength(1); // one transition, not one event per failed retry
    await reader.stop();
  });

  it('a throwing listener does not break the others', async () => {
    const reader = await started();
    const taps = record(reader, 'tap');
    reader.on('tap', () => {
      throw new Error('bad subscriber');
    });
    const second = record(reader, 'tap');
    reader.tap('AABBCCDD');
    expect(taps).toHaveLength(1);
    expect(second).toHaveLength(1);
    await reader.stop();
  });

  it('stops when the start signal is aborted', async () => {
    const reader = new SimulatedReader({ id: 'sim' });
    const offline = record(reader, 'offline');
    const abort = new AbortController();
    await reader.start(abort.signal);
    await vi.advanceTimersByTimeAsync(0);
    expect(reader.online).toBe(true);
    abort.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(reader.online).toBe(false);
    expect(offline).toMatchObject([{ reason: 'stopped' }]);
    await reader.stop();
  });
});
