/** hq over HTTPS (docs/protocol.md §2): cert/key in the config; the device trusts it through `hq.tls.ca`. */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../gateway/src/core/logger.ts';
import { createHqClient } from '../../gateway/src/sync/hq-client.ts';
import { parseHqConfig } from '../../hq/src/config.ts';
import type { SqlDb } from '../../hq/src/db/sql.ts';
import { createEnrollmentToken } from '../../hq/src/enroll.ts';
import { createHub, type Hub } from '../../hq/src/hub.ts';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { openTestPglite } from './pglite-template.ts';

describe('hq over TLS', () => {
  const dir = makeTempDir();
  let db: SqlDb;
  let hub: Hub;
  const cert = dir.file('hq.crt');
  const key = dir.file('hq.key');

  beforeAll(async () => {
    // A self-signed certificate for 127.0.0.1 (what a chain would get from its own CA).
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=hq.test',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    db = await openTestPglite();
    const config = parseHqConfig(
      { hq: { port: 0, host: '127.0.0.1', tls: { cert, key }, scheduleEvents: false } },
      dir.path,
    );
    hub = createHub(config, { logger: silentLogger, db });
    await hub.start();
  }, 120_000);
  afterAll(async () => {
    await hub.stop();
    await db.close();
    dir.remove();
  });

  it('a device that trusts the CA enrolls and uploads; one that does not is refused', async () => {
    const url = `https://127.0.0.1:${hub.port()}`;
    const { token } = await createEnrollmentToken(db, 's1', new Date());
    const untrusting = createHqClient({ url });
    await expect(
      untrusting.enroll({ enrollmentToken: token, deviceId: 'gw-1', storeId: 's1' }),
    ).rejects.toThrow(/certificate/);
    untrusting.close();
    const enroller = createHqClient({ url, tls: { ca: cert } });
    const { deviceToken } = await enroller.enroll({
      enrollmentToken: token,
      deviceId: 'gw-1',
      storeId: 's1',
    });
    enroller.close();
    const device = createHqClient({ url, token: deviceToken, tls: { ca: cert } });
    expect(await device.postBatch('gw-1', { batchId: 'b', fromSeq: 1, toSeq: 1, entries: [] })).toEqual({
      kind: 'acked',
      ackedSeq: 1,
    });
    device.close();
  });
});
