import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PROVISIONING = fileURLToPath(new URL('../../provisioning/', import.meta.url));

export const bash = (script: string, args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync('bash', [`${PROVISIONING}${script}`, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, text: `${r.stdout}${r.stderr}` };
};
