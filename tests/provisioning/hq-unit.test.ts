import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../fakes/temp-dir.ts';

const UNITS = fileURLToPath(new URL('../../provisioning/systemd/', import.meta.url));
const text = (name: string) => readFileSync(join(UNITS, name), 'utf8');

/** The `[Service]` section's `Key=Value` lines (comments and other sections left out). */
const service = (unit: string): Map<string, string> => {
  const keys = new Map<string, string>();
  let section = '';
  for (const raw of unit.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) section = line;
    else if (section === '[Service]') {
      const at = line.indexOf('=');
      keys.set(line.slice(0, at), line.slice(at + 1));
    }
  }
  return keys;
};

/** The sandboxing directives (systemd.exec(5) "Security", "Sandboxing", "Capabilities"). */
const HARDENING =
  /^(NoNewPrivileges|Protect\w+|Private\w+|Restrict\w+|LockPersonality|SystemCall\w+|CapabilityBoundingSet|AmbientCapabilities|UMask|MemoryDenyWriteExecute)$/;

const gateway = service(text('loyalty-edge.service'));
const hq = service(text('loyalty-hq.service'));
const dir = makeTempDir('hq-unit-');
afterAll(() => dir.remove());

describe('provisioning/systemd/loyalty-hq.service', () => {
  it("carries every hardening directive of the gateway's unit, and more", () => {
    const missing: string[] = [];
    for (const [key, value] of gateway) {
      if (!HARDENING.test(key)) continue;
      if (key === 'RestrictAddressFamilies') {
        // hq needs no netlink (no interface list): a subset of the gateway's families.
        const families = (hq.get(key) ?? '').split(/\s+/);
        expect(families.length).toBeGreaterThan(0);
        for (const f of families) expect(value.split(/\s+/)).toContain(f);
      } else if (hq.get(key) !== value) missing.push(`${key}=${value} (hq: ${hq.get(key) ?? 'unset'})`);
    }
    expect(missing).toEqual([]);
    // What the gateway cannot have (SPI, serial, sysfs GPIO) and hq can.
    expect(hq.get('PrivateDevices')).toBe('yes');
    expect(hq.get('ProtectKernelTunables')).toBe('yes');
    expect(hq.get('CapabilityBoundingSet')).toBe('');
  });

  it('runs `hq start` from the release as its own user, writing only its 0700 data folder', () => {
    expect(hq.get('User')).toBe('loyalty-hq');
    expect(hq.get('ReadWritePaths')).toBe('/var/lib/loyalty-hq');
    expect(hq.get('StateDirectory')).toBe('loyalty-hq');
    expect(hq.get('StateDirectoryMode')).toBe('0700');
    expect(hq.get('UMask')).toBe('0077');
    // The same release layout and service contract as the gateway's (Type=notify, watchdog).
    for (const key of ['Type', 'NotifyAccess', 'WatchdogSec', 'Restart'])
      expect(hq.get(key)).toBe(gateway.get(key));
    const [node, script, ...args] = (hq.get('ExecStart') ?? '').split(' ');
    const [gatewayNode, gatewayScript] = (gateway.get('ExecStart') ?? '')
      .split(' ')
      .filter((w) => !w.startsWith('--'));
    expect([node, script]).toEqual([gatewayNode, gatewayScript]);
    expect(args).toEqual(['hq', 'start', '--config', '/etc/loyalty-hq/hq.yaml']);
  });

  it('is a valid unit whose exposure (systemd-analyze security) is no worse than the gateway’s', () => {
    // `verify` checks the ExecStart binary exists: point it at this machine's node.
    const exposure = (name: string): number => {
      const copy = join(dir.path, name);
      writeFileSync(copy, text(name).replaceAll('/usr/bin/node', process.execPath));
      const verify = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
      expect(verify.status, verify.stderr).toBe(0);
      expect(verify.stderr).not.toMatch(/Unknown key|Failed to parse|Invalid/i);
      const security = spawnSync('systemd-analyze', ['security', '--offline=yes', '--no-pager', copy], {
        encoding: 'utf8',
      });
      expect(security.status, security.stderr).toBe(0);
      const level = /Overall exposure level for \S+: ([\d.]+)/.exec(security.stdout)?.[1];
      expect(level, security.stdout.slice(-400)).toBeDefined();
      return Number(level);
    };
    const gatewayLevel = exposure('loyalty-edge.service');
    const hqLevel = exposure('loyalty-hq.service');
    console.log(`systemd-analyze security: gateway ${gatewayLevel}, hq ${hqLevel}`);
    expect(hqLevel).toBeLessThanOrEqual(gatewayLevel);
  });
});
