import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACK_FRAME, encodeFrame, TFI_HOST, TFI_PN532 } from '../../../../hardware/src/nfc/pn532/frame.ts';
import { Pn532Parser } from '../../../../hardware/src/nfc/pn532/parser.ts';

const frame = (...data: number[]): Uint8Array => encodeFrame(TFI_PN532, Uint8Array.from(data));

describe('PN532 frame', () => {
  it('encodes SAMConfiguration as in the user manual', () => {
    expect([...encodeFrame(TFI_HOST, Uint8Array.of(0x14, 0x01))]).toEqual([
      0x00, 0x00, 0xff, 0x03, 0xfd, 0xd4, 0x14, 0x01, 0x17, 0x00,
    ]);
  });
});

describe('Pn532Parser', () => {
  it('decodes ACK then a response frame', () => {
    const p = new Pn532Parser();
    const out = p.push(Uint8Array.of(...ACK_FRAME, ...frame(0x15)));
    expect(out).toEqual([{ kind: 'ack' }, { kind: 'frame', tfi: TFI_PN532, data: Uint8Array.of(0x15) }]);
  });

  it('resyncs after garbage, including stray 00 and FF bytes', () => {
    const p = new Pn532Parser();
    const out = p.push(
      Uint8Array.of(0x55, 0xff, 0x00, 0x13, 0x00, 0x00, ...frame(0x03, 0x32, 0x01, 0x06, 0x07)),
    );
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ kind: 'frame', data: Uint8Array.of(0x03, 0x32, 0x01, 0x06, 0x07) });
  });

  it('reassembles a frame split at every position', () => {
    const whole = Uint8Array.of(...ACK_FRAME, ...frame(0x4b, 0x00));
    for (let cut = 1; cut < whole.length; cut++) {
      const p = new Pn532Parser();
      const out = [...p.push(whole.subarray(0, cut)), ...p.push(whole.subarray(cut))];
      expect(out.map((x) => x.kind)).toEqual(['ack', 'frame']);
    }
  });

  it('drops frames with a bad LCS or DCS and keeps going', () => {
    const badLcs = frame(0x4b, 0x00);
    badLcs[4] = (badLcs[4]! + 1) & 0xff;
    const badDcs = frame(0x4b, 0x00);
    badDcs[badDcs.length - 2] = (badDcs[badDcs.length - 2]! + 1) & 0xff;
    const p = new Pn532Parser();
    const out = p.push(Uint8Array.of(...badLcs, ...badDcs, ...frame(0x4b, 0x01)));
    expect(out).toEqual([{ kind: 'frame', tfi: TFI_PN532, data: Uint8Array.of(0x4b, 0x01) }]);
    expect(p.dropped).toBe(2);
  });

  it('property: any frame survives surrounding noise and arbitrary chunking', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 60 }),
        fc.uint8Array({ maxLength: 20 }).map((n) => n.map((b) => (b === 0x00 ? 0x01 : b))),
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 30 }),
        (payload, noise, cuts) => {
          const bytes = Uint8Array.of(...noise, ...encodeFrame(TFI_PN532, payload));
          const p = new Pn532Parser();
          const out = [];
          let i = 0;
          for (const size of cuts) {
            out.push(...p.push(bytes.subarray(i, i + size)));
            i += size;
          }
          out.push(...p.push(bytes.subarray(i)));
          expect(out).toEqual([{ kind: 'frame', tfi: TFI_PN532, data: payload }]);
        },
      ),
    );
  });
});
