import type { Config } from '../../../gateway/src/config/load.ts';
import type { DoctorProbes } from './probes.ts';
import { type DoctorResult, fail, ok, warn } from './result.ts';

/** Asks the port's holder who it is: our gateway answers GET /health with its storeId. */
const heldByGateway = async (config: Config, probes: DoctorProbes): Promise<boolean> => {
  const answer = await probes.httpGet(`http://127.0.0.1:${config.http.port}/health`, 2000);
  return 'status' in answer && answer.status === 200 && answer.body.includes(`"${config.storeId}"`);
};

export const checkPorts = async (config: Config, probes: DoctorProbes): Promise<DoctorResult[]> => {
  const ports = [
    { name: 'MQTT', host: config.mqtt.host, port: config.mqtt.port },
    { name: 'HTTP', host: config.http.host, port: config.http.port },
  ];
  const results: DoctorResult[] = [];
  let ours: boolean | undefined;
  for (const p of ports) {
    const check = `${p.name} port ${p.port}`;
    if (p.port === 0) {
      results.push(ok(check, 'port 0: the system picks a free one'));
      continue;
    }
    const state = await probes.listen(p.host, p.port);
    if (state === 'free') {
      results.push(ok(check, `free on ${p.host} (the gateway is not running)`));
      continue;
    }
    if (state === 'in-use') {
      ours ??= await heldByGateway(config, probes);
      results.push(
        ours
          ? ok(check, `held by this store's running gateway (${config.storeId})`)
          : fail(
              check,
              `in use by another program on ${p.host}`,
              `see who holds it: sudo ss -ltnp 'sport = :${p.port}'; stop it (e.g. sudo systemctl disable --now mosquitto) or change ${p.name.toLowerCase()}.port in the config`,
            ),
      );
      continue;
    }
    results.push(
      fail(
        check,
        `cannot listen on ${p.host}:${p.port} (${state})`,
        `check ${p.name.toLowerCase()}.host in the config is an address of this device`,
      ),
    );
  }
  return results;
};

export const checkClock = async (probes: DoctorProbes): Promise<DoctorResult> => {
  const r = await probes.run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value']);
  const value = r.stdout.trim();
  if (r.code === 0 && value === 'yes') return ok('clock', 'synchronised by NTP');
  if (r.code === 0 && value === 'no')
    return fail(
      'clock',
      'not synchronised: sale times, expiry and offline limits depend on it (a Pi has no battery clock)',
      'sudo timedatectl set-ntp true; check the network reaches an NTP server (journalctl -u systemd-timesyncd)',
    );
  const why =
    r.code === null ? 'timedatectl is not available' : (r.stderr.trim().split('\n')[0] ?? `exit ${r.code}`);
  return warn(
    'clock',
    `cannot tell whether the clock is synchronised (${why})`,
    'on the Pi: timedatectl show -p NTPSynchronized',
  );
};

export const checkHq = async (config: Config, probes: DoctorProbes): Promise<DoctorResult> => {
  if (!config.hq)
    return warn(
      'head office',
      'no hq in the config: this store runs alone',
      'add hq {url, deviceId} and run loyalty-edge provision enroll',
    );
  // hq's own health route (docs/hq.md), not the bare URL: any web server answers that one.
  const health = new URL('/v1/health', config.hq.url).toString();
  const answer = await probes.httpGet(health, 5000);
  if ('status' in answer) {
    if (answer.status === 200 && /"ok"\s*:\s*true/.test(answer.body))
      return ok('head office', `${config.hq.url} answers as head office (GET /v1/health)`);
    return fail(
      'head office',
      `${health} answered HTTP ${answer.status}, not head office's health: uploads cannot work`,
      'check hq.url in the config names the hq server (loyalty-edge hq start) and its port',
    );
  }
  // The store works offline (docs/protocol.md §2), so an unreachable hq is a warning, not a failure.
  return warn(
    'head office',
    `${config.hq.url} is not reachable (${answer.error}); sales continue offline`,
    `check the network and DNS: curl -sv ${config.hq.url}`,
  );
};

export const checkServices = async (
  config: Config | undefined,
  probes: DoctorProbes,
): Promise<DoctorResult[]> => {
  if (!probes.systemdRunning())
    return [
      warn(
        'services',
        'systemd is not running here (container or chroot): cannot check loyalty-edge, node-red and kiosk services',
        'run doctor on the Pi itself',
      ),
    ];
  const units = [
    'loyalty-edge.service',
    'loyalty-node-red.service',
    ...(config?.kiosks ?? []).map((k) => `loyalty-kiosk@${k.id}.service`),
  ];
  const results: DoctorResult[] = [];
  for (const unit of units) {
    const r = await probes.run('systemctl', ['is-active', unit]);
    const state = r.stdout.trim() || 'unknown';
    const fix = `sudo systemctl enable --now ${unit}; if it stops again: journalctl -u ${unit} -n 50`;
    if (state === 'active') results.push(ok(unit, 'active'));
    // A kiosk in the config may have its screen on another Pi: only a warning here.
    else if (unit.startsWith('loyalty-kiosk@'))
      results.push(warn(unit, `is ${state} (fine if this kiosk's screen is on another device)`, fix));
    else results.push(fail(unit, `is ${state}`, fix));
  }
  return results;
};
