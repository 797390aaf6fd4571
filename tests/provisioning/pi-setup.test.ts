import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../fakes/temp-dir.ts';
import { bash } from './scripts.ts';

/** Every file and its content under a folder, so two runs can be compared exactly. */
const snapshot = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = lstatSync(p);
      if (s.isSymbolicLink()) out[p] = `-> ${readlinkSync(p)}`;
      else if (s.isDirectory()) {
        out[p] = `dir ${(s.mode & 0o777).toString(8)}`;
        walk(p);
      } else out[p] = `${(s.mode & 0o777).toString(8)} ${readFileSync(p, 'utf8')}`;
    }
  };
  walk(dir);
  return out;
};

describe('pi-setup.sh against a fake root', () => {
  let root: ReturnType<typeof makeTempDir>;
  let source: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    root = makeTempDir('pi-root-');
    source = makeTempDir('pi-source-');
    mkdirSync(root.file('boot/firmware'), { recursive: true });
    mkdirSync(root.file('etc'), { recursive: true });
    writeFileSync(root.file('boot/firmware/config.txt'), '[all]\ndtparam=audio=on\n\n[pi4]\narm_boost=1\n');
    writeFileSync(
      root.file('boot/firmware/cmdline.txt'),
      'console=serial0,115200 console=tty1 root=PARTUUID=1-02 rootwait\n',
    );
    writeFileSync(
      root.file('etc/fstab'),
      'proc /proc proc defaults 0 0\nPARTUUID=1-01 /boot/firmware vfat defaults 0 2\nPARTUUID=1-02 / ext4 defaults 0 1\n',
    );
    // A small release to install: the real one is the checkout, tested by run-in-qemu.sh.
    writeFileSync(
      source.file('package.json'),
      '{\n  "name": "loyalty-edge",\n  "version": "9.9.9",\n  "private": true\n}\n',
    );
    mkdirSync(source.file('bin'));
    writeFileSync(source.file('bin/loyalty-edge.js'), '// stub\n');
  });
  afterEach(() => {
    root.remove();
    source.remove();
  });

  const run = (...extra: string[]) =>
    bash('pi-setup.sh', ['--root', root.path, '--source', source.path, ...extra]);

  it('writes units, rules, settings, SPI/UART and wear settings, installs the release; a second run changes nothing', () => {
    const first = run();
    expect(first.code, first.text).toBe(0);
    expect(first.stdout).toMatch(/pi-setup: \d+ change\(s\)/);
    const config = readFileSync(root.file('boot/firmware/config.txt'), 'utf8');
    // The last section was [pi4]: our lines go under a new [all].
    expect(config).toMatch(/\[pi4\]\narm_boost=1\n\n\[all\]\ndtparam=spi=on\nenable_uart=1\n$/);
    expect(readFileSync(root.file('boot/firmware/cmdline.txt'), 'utf8')).toBe(
      'console=tty1 root=PARTUUID=1-02 rootwait\n',
    );
    const fstab = readFileSync(root.file('etc/fstab'), 'utf8');
    expect(fstab).toContain('PARTUUID=1-02 / ext4 defaults,noatime 0 1');
    expect(fstab).toContain('PARTUUID=1-01 /boot/firmware vfat defaults 0 2');
    for (const f of [
      'etc/systemd/system/loyalty-edge.service',
      'etc/systemd/system/loyalty-node-red.service',
      'etc/systemd/system/loyalty-kiosk@.service',
      'etc/udev/rules.d/99-loyalty-edge.rules',
      'etc/systemd/journald.conf.d/loyalty-edge.conf',
      'etc/sysctl.d/90-loyalty-edge.conf',
    ])
      expect(statSync(root.file(f)).mode & 0o777, f).toBe(0o644);
    expect(statSync(root.file('usr/local/bin/loyalty-edge')).mode & 0o777).toBe(0o755);
    expect(statSync(root.file('etc/loyalty-edge/node-red.env')).mode & 0o777).toBe(0o640);
    expect(readFileSync(root.file('etc/loyalty-edge/node-red.env'), 'utf8')).toMatch(
      /^LOYALTY_NODE_RED_CREDENTIAL_SECRET=[\w-]{32}\n.*\nLOYALTY_NODE_RED_ADMIN_PASSWORD=[\w-]{32}\n/s,
    );
    // Node-RED runs the release's settings (flows/settings/settings.js), whose names the env file uses.
    expect(readFileSync(root.file('etc/systemd/system/loyalty-node-red.service'), 'utf8')).toContain(
      '--settings /opt/loyalty-edge/current/flows/settings/settings.js',
    );
    expect(statSync(root.file('var/lib/loyalty-edge')).mode & 0o777).toBe(0o700);
    expect(readlinkSync(root.file('opt/loyalty-edge/current'))).toBe('/opt/loyalty-edge/releases/9.9.9');
    expect(readFileSync(root.file('opt/loyalty-edge/releases/9.9.9/bin/loyalty-edge.js'), 'utf8')).toBe(
      '// stub\n',
    );
    expect(first.stdout).toMatch(/skipped \(--root\): .*systemctl/);

    const before = snapshot(root.path);
    const second = run();
    expect(second.code, second.text).toBe(0);
    expect(second.stdout).toMatch(/pi-setup: 0 change\(s\)/);
    expect(snapshot(root.path)).toEqual(before);
  });

  it('renames the Node-RED variables of an older device, keeping its secrets', () => {
    mkdirSync(root.file('etc/loyalty-edge'), { recursive: true });
    writeFileSync(
      root.file('etc/loyalty-edge/node-red.env'),
      'NODE_RED_CREDENTIAL_SECRET=kept-secret\nNODE_RED_ADMIN_USER=admin\nNODE_RED_ADMIN_PASSWORD=kept-password\n',
    );
    const r = run();
    expect(r.code, r.text).toBe(0);
    expect(readFileSync(root.file('etc/loyalty-edge/node-red.env'), 'utf8')).toBe(
      'LOYALTY_NODE_RED_CREDENTIAL_SECRET=kept-secret\nLOYALTY_NODE_RED_ADMIN_USER=admin\n' +
        'LOYALTY_NODE_RED_ADMIN_PASSWORD=kept-password\nLOYALTY_NODE_RED_USER_DIR=/var/lib/loyalty-node-red\n',
    );
    expect(run().stdout).toMatch(/pi-setup: 0 change\(s\)/);
  });

  it('--dry-run lists the changes and writes nothing', () => {
    const before = snapshot(root.path);
    const dry = run('--dry-run');
    expect(dry.code, dry.text).toBe(0);
    expect(dry.stdout).toMatch(/would write \/etc\/systemd\/system\/loyalty-edge\.service/);
    expect(dry.stdout).toMatch(/would add 'dtparam=spi=on' to \/boot\/firmware\/config\.txt/);
    expect(dry.stdout).toMatch(/dry run: \d+ change\(s\) would be made/);
    expect(snapshot(root.path)).toEqual(before);
  });

  it('an image without a boot partition is left alone and says so; a bad option exits 2', () => {
    const bare = makeTempDir('pi-bare-');
    try {
      const r = bash('pi-setup.sh', ['--root', bare.path, '--no-app']);
      expect(r.code, r.text).toBe(0);
      expect(r.stdout).toContain('no /boot/firmware/config.txt: not a Raspberry Pi boot partition');
      expect(r.stdout).toContain('no /etc/fstab');
    } finally {
      bare.remove();
    }
    const bad = bash('pi-setup.sh', ['--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown option --bogus/);
  });

  it('the gateway unit carries the watchdog and hardening the contract describes', () => {
    run();
    const unit = readFileSync(root.file('etc/systemd/system/loyalty-edge.service'), 'utf8');
    for (const line of [
      'Type=notify',
      'NotifyAccess=all',
      'WatchdogSec=30',
      'Restart=on-failure',
      'After=network-online.target time-sync.target',
      'ProtectSystem=strict',
      'NoNewPrivileges=yes',
      'User=loyalty',
    ])
      expect(unit).toContain(line);
  });
});
