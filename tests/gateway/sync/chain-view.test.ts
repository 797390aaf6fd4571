/**
 * docs/protocol.md §2: the balance a store shows = head office's balance (which includes this
 * device's entries up to includesDeviceSeq) + this device's later entries. Tills (identify,
 * sale) and the kiosk show it; `spendableHere` says what this store's own lots hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyChangesPage } from '../../../gateway/src/ledger/sync-store.ts';
import {
  connectTill,
  type GatewayFixture,
  saleBody,
  startGateway,
  type TillClient,
} from '../../fakes/gateway-fixture.ts';
import { connectKiosk, type KioskClient } from '../../kiosk/kiosk-client.ts';
import { balancesPage } from './store-fixture.ts';

describe('a chain store shows the chain balance', () => {
  let fx: GatewayFixture;
  let till: TillClient;
  let kiosk: KioskClient;
  let local: { points: number; credit: number };

  beforeAll(async () => {
    fx = await startGateway();
    till = await connectTill(fx.url);
    kiosk = await connectKiosk(fx.url);
    const ledger = fx.gateway.ledger;
    local = {
      points: ledger.balance({ member: 'M-1002' }, 'points'),
      credit: ledger.balance({ member: 'M-1002' }, 'credit'),
    };
    // hq has seen all of this device's entries, and the member earned 700 points and
    // 2 500 credit at other stores.
    const page = balancesPage(1, [
      {
        memberId: 'M-1002',
        points: local.points + 700,
        credit: local.credit + 2_500,
        tier: null,
        includesDeviceSeq: ledger.lastSeq(),
      },
    ]);
    applyChangesPage(ledger.db, page, 0, new Date().toISOString());
  });
  afterAll(async () => {
    await kiosk.close();
    await till.close();
    await fx.stop();
  });

  it('identify: the chain balance, and what this store can spend', async () => {
    const standalone = await till.request('identify', { card: { uid: '04A1B2C3' } });
    expect(standalone.balances).not.toHaveProperty('spendableHere');

    const r = await till.request('identify', { card: { uid: '04A1B2C3D4E5F6' } });
    expect(r.balances).toEqual({
      points: local.points + 700,
      pendingPoints: 0,
      credit: local.credit + 2_500,
      spendableHere: { points: local.points, credit: local.credit },
    });
  });

  it('a sale answers with the chain balance after it', async () => {
    const r = await till.request(
      'sale',
      saleBody('04A1B2C3D4E5F6', [{ sku: 'A1', qty: 1, unitPrice: 20_000 }]),
    );
    expect(r.ok).toBe(true);
    const here = fx.gateway.ledger.balance({ member: 'M-1002' }, 'points');
    expect(here).toBeGreaterThan(local.points);
    expect(r.balances).toMatchObject({ points: here + 700, spendableHere: { points: here } });
  });

  it('the kiosk shows the chain balance too', async () => {
    const session = kiosk.nextSession();
    fx.gateway.readers.simulated('reader-1')?.tap('04A1B2C3D4E5F6');
    const here = fx.gateway.ledger.balance({ member: 'M-1002' }, 'points');
    expect(await session).toMatchObject({
      state: 'member',
      balances: { points: here + 700, spendableHere: { points: here } },
    });
  });
});
