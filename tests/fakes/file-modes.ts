import { type ChildProcess, spawn } from 'node:child_process';
import { lstatSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Every file and folder under `root` (and `root`) whose mode is not the service user's alone
 * (files 0600, folders 0700), as "0644 store.db": empty when the tree is private.
 */
export const notPrivate = (root: string): string[] => {
  const found: string[] = [];
  const walk = (path: string): void => {
    const stat = lstatSync(path);
    const mode = stat.mode & 0o777;
    const name = relative(root, path) || '.';
    if (stat.isDirectory()) {
      if (mode !== 0o700) found.push(`${mode.toString(8)} ${name}/`);
      for (const child of readdirSync(path)) walk(join(path, child));
    } else if (!stat.isSymbolicLink() && mode !== 0o600) found.push(`${mode.toString(8)} ${name}`);
  };
  walk(root);
  return found;
};

/** Spawns `node ARGS` under umask 000 (the widest a service could be started with). */
export const spawnUnderUmask000 = (args: string[], cwd: string): ChildProcess =>
  spawn('/bin/sh', ['-c', 'umask 000 && exec "$@"', 'sh', process.execPath, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

/** Resolves with the output so far once `ready` matches it; rejects if the process exits first. */
export const untilOutput = (child: ChildProcess, ready: RegExp, timeoutMs = 60_000): Promise<string> =>
  new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${out}`));
    });
  });

/** Exit status of a finished child. */
export const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
