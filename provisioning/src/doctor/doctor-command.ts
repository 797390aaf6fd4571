import { type Command, EXIT, parseFlags } from '../../../gateway/src/cli/command.ts';
import { configPathFrom } from '../config-file.ts';
import { checkDevices } from './device-checks.ts';
import type { DoctorProbes } from './probes.ts';
import type { DoctorResult } from './result.ts';
import { checkConfig, checkDatabase, checkDataDir, checkProgram } from './store-checks.ts';
import { checkUploads } from './sync-checks.ts';
import { checkClock, checkHq, checkPorts, checkServices } from './system-checks.ts';

/** Every check, in the order a technician fixes things: config, storage, hardware, network, services. */
export const runDoctor = async (
  configPath: string,
  probes: DoctorProbes,
  env: NodeJS.ProcessEnv,
): Promise<DoctorResult[]> => {
  const { config, results } = checkConfig(configPath, env);
  if (config) {
    results.push(...(await checkDataDir(config, probes)));
    results.push(await checkProgram(config));
    results.push(...checkDatabase(config));
    results.push(...(await checkDevices(config, probes)));
    results.push(...(await checkPorts(config, probes)));
  }
  results.push(await checkClock(probes));
  if (config) results.push(await checkHq(config, probes), ...checkUploads(config));
  results.push(...(await checkServices(config, probes)));
  return results;
};

const LABEL = { ok: ' ok ', warn: 'WARN', fail: 'FAIL' } as const;

export const formatReport = (results: DoctorResult[]): string[] => {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`[${LABEL[r.status]}] ${r.check}: ${r.message}`);
    if (r.fix && r.status !== 'ok') lines.push(`       fix: ${r.fix}`);
  }
  const count = (s: DoctorResult['status']) => results.filter((r) => r.status === s).length;
  lines.push(`doctor: ${count('ok')} ok, ${count('warn')} warning(s), ${count('fail')} failure(s)`);
  return lines;
};

export const makeDoctorCommand = (probes: DoctorProbes, env: NodeJS.ProcessEnv): Command => ({
  words: ['doctor'],
  usage: 'doctor [--config FILE] [--json]',
  summary:
    'Check everything this device needs (config, disk, database, readers, ports, clock, hq, services); exit 1 on a failure.',
  run: async (args, io) => {
    const { values } = parseFlags(args, { config: { type: 'string' }, json: { type: 'boolean' } }, 0);
    const results = await runDoctor(configPathFrom(values.config, env), probes, env);
    const failed = results.some((r) => r.status === 'fail');
    if (values.json === true) io.out(JSON.stringify({ ok: !failed, checks: results }, null, 2));
    else for (const line of formatReport(results)) io.out(line);
    return failed ? EXIT.failed : EXIT.ok;
  },
});
