import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LineReader } from '../../../../hardware/src/nfc/line/line-reader.ts';
import { openSerialPort, type SerialLink } from '../../../../hardware/src/transport/serial.ts';
import { nextEvent, record } from '../../helpers/events.ts';
import { createPtyPair, type PtyPair } from '../../helpers/socat.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('LineReader over a socat pty pair', () => {
  let pty: PtyPair;
  let device: SerialLink | undefined;
  let reader: LineReader;

  beforeEach(async () => {
    pty = await createPtyPair();
    reader = new LineReader({
      id: 'usb',
      path: pty.a,
      removalMs: 150,
      backoff: { initialMs: 20, maxMs: 200, factor: 2 },
    });
    const online = nextEvent(reader, 'online');
    await reader.start();
    await online;
    device = await openSerialPort({ path: pty.b, baudRate: 9600 });
  });

  afterEach(async () => {
    await reader.stop();
    await device?.close();
    await pty.dispose();
  });

  it('reads CR, LF and CRLF lines and normalises to upper-case hex', async () => {
    const taps = record(reader, 'tap');
    const third = nextEvent(reader, 'tap', 3_000, (t) => t.uid === '0A0B0C0D');
    await device?.write(text('04a1b2c3\r\n'));
    await device?.write(text('de:ad:be:ef\r'));
    await device?.write(text('0a0b0c0d\n'));
    await third;
    expect(taps.map((t) => t.uid)).toEqual(['04A1B2C3', 'DEADBEEF', '0A0B0C0D']);
  });

  it('ignores garbage lines and keeps reading', async () => {
    const tap = nextEvent(reader, 'tap');
    await device?.write(text('\x00\x7f-noise-\r\nnot hex\n04A1B2C3D4E5F6\n'));
    expect((await tap).uid).toBe('04A1B2C3D4E5F6');
  });

  it('a reader repeating the UID while the card is held gives one tap', async () => {
    const taps = record(reader, 'tap');
    const removed = nextEvent(reader, 'removed');
    for (let i = 0; i < 5; i++) await device?.write(text('11223344\r\n'));
    await removed;
    expect(taps).toHaveLength(1);
  });

  it('goes offline when unplugged and back online after replug', async () => {
    const offline = nextEvent(reader, 'offline', 10_000); // a loaded machine can take seconds to see the pty go
    await device?.close();
    device = undefined;
    await pty.kill();
    expect((await offline).reason).toBeTruthy();
    expect(reader.online).toBe(false);
    const online = nextEvent(reader, 'online', 5_000);
    await pty.restart();
    await online;
    device = await openSerialPort({ path: pty.b, baudRate: 9600 });
    const tap = nextEvent(reader, 'tap');
    await device.write(text('CAFEBABE\n'));
    expect((await tap).uid).toBe('CAFEBABE');
  });

  it('retries an absent port with backoff and comes online when it appears', async () => {
    await reader.stop();
    await device?.close();
    device = undefined;
    await pty.kill();
    const late = new LineReader({
      id: 'late',
      path: pty.a,
      backoff: { initialMs: 20, maxMs: 100, factor: 2 },
    });
    const offline = nextEvent(late, 'offline');
    await late.start();
    expect((await offline).reason).toMatch(/No such file|ENOENT|cannot open/i);
    const online = nextEvent(late, 'online', 5_000);
    await pty.restart();
    await online;
    await late.stop();
  });
});
