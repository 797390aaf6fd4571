/**
 * A real Node-RED 4.1 runtime in its own process, started the way the device starts it:
 * `red.js --settings flows/settings/settings.js` with a temp userDir, on 127.0.0.1 and an
 * ephemeral port. Flows are deployed through the admin API (so credentials are encrypted
 * with the credentialSecret like an editor deploy), injects are pressed through it too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { makeTempDir } from '../../fakes/temp-dir.ts';
import { ROOT } from './gateway-fixture.ts';

const require = createRequire(import.meta.url);
const bcrypt = require(require.resolve('bcryptjs', { paths: [resolve(ROOT, 'node_modules/node-red')] })) as {
  hashSync(password: string, rounds: number): string;
};

export const SETTINGS_FILE = resolve(ROOT, 'flows/settings/settings.js');
const RED_JS = resolve(ROOT, 'node_modules/node-red/red.js');
const ADMIN = { username: 'admin', password: 'test-admin-password' };
export const CREDENTIAL_SECRET = 'test-credential-secret';

export type FlowNode = Record<string, unknown> & { id: string; type: string };

export interface NodeRed {
  url: string;
  userDir: string;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  /** Full deploy; `credentials` by node id (e.g. the loyalty-gateway secret). */
  deploy(flows: FlowNode[], credentials?: Record<string, Record<string, string>>): Promise<void>;
  /** Presses an inject node's button (admin API `POST /inject/:id`). */
  inject(id: string): Promise<void>;
  /** An authenticated admin API call. */
  admin(path: string, init?: RequestInit): Promise<Response>;
  /** True while the process runs. */
  alive(): boolean;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startNodeRed(env: Record<string, string> = {}): Promise<NodeRed> {
  const dir = makeTempDir('loyalty-node-red-');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [RED_JS, '--settings', SETTINGS_FILE, '--userDir', dir.path, '--port', String(port)],
    {
      cwd: dir.path,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir.path,
        NODE_OPTIONS: '--max-old-space-size=256',
        LOYALTY_NODE_RED_CREDENTIAL_SECRET: CREDENTIAL_SECRET,
        LOYALTY_NODE_RED_ADMIN_HASH: bcrypt.hashSync(ADMIN.password, 4),
        LOYALTY_NODE_RED_LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let exited = false;
  const exit = new Promise<void>((r) => child.once('exit', () => r()));
  child.once('exit', () => {
    exited = true;
  });
  child.stdout?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    log += d.toString();
  });

  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(killer);
    }
    dir.remove();
  };

  // Up when the admin API answers (the login scheme needs no token).
  const until = Date.now() + 30_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`Node-RED exited during start:\n${log}`);
    }
    try {
      const res = await fetch(`${url}/auth/login`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      await stop();
      throw new Error(`Node-RED did not start within 30 s:\n${log}`);
    }
    await sleep(100);
  }

  const tokenRes = await fetch(`${url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', ...ADMIN }),
  });
  if (!tokenRes.ok) {
    await stop();
    throw new Error(`admin login failed: ${tokenRes.status}`);
  }
  const { access_token: token } = (await tokenRes.json()) as { access_token: string };

  const admin = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });

  return {
    url,
    userDir: dir.path,
    output: () => log,
    alive: () => !exited,
    admin,
    async deploy(flows, credentials = {}) {
      const body = flows.map((n) => (credentials[n.id] ? { ...n, credentials: credentials[n.id] } : n));
      const res = await admin('/flows', {
        method: 'POST',
        headers: { 'Node-RED-Deployment-Type': 'full' },
        body: JSON.stringify(body),
      });
      if (res.status !== 204 && res.status !== 200)
        throw new Error(`deploy failed: ${res.status} ${await res.text()}\n${log}`);
    },
    async inject(id) {
      // A full deploy answers before the new flows have started: a 404 until the node exists.
      const until = Date.now() + 10_000;
      for (;;) {
        const res = await admin(`/inject/${id}`, { method: 'POST' });
        if (res.ok) return;
        if (res.status !== 404 || Date.now() > until)
          throw new Error(`inject ${id}: ${res.status} ${await res.text()}\n${log}`);
        await sleep(50);
      }
    },
    stop,
  };
}
