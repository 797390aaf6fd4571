import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { statfs, unlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { CheckEnvironment } from '../../../hardware/src/index.ts';

export interface CommandResult {
  /** null when the command could not be run at all (not installed, timed out). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export type HttpAnswer = { status: number; body: string } | { error: string };

/**
 * Everything the doctor looks at, behind one seam: tests pass fixture trees and fake
 * commands and run the real checks (architecture.md: fakes over module mocks).
 */
export interface DoctorProbes {
  /** /dev, /sys/class/gpio and /proc/cmdline for hardware/'s device checks. */
  hardware: CheckEnvironment;
  freeBytes(path: string): Promise<number>;
  /** Creates and removes a file: the only honest test of "writable" (root passes access()). */
  canWrite(dir: string): Promise<true | string>;
  run(command: string, args: string[]): Promise<CommandResult>;
  /** True when systemd is PID 1 (the check systemd's own sd_booted() makes). */
  systemdRunning(): boolean;
  /** Tries to listen: 'free', 'in-use', or another error code. */
  listen(host: string, port: number): Promise<'free' | 'in-use' | string>;
  httpGet(url: string, timeoutMs: number): Promise<HttpAnswer>;
}

const run = (command: string, args: string[]): Promise<CommandResult> =>
  new Promise((resolve) => {
    execFile(command, args, { timeout: 5000, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });

const listen = (host: string, port: number): Promise<'free' | 'in-use' | string> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'EADDRINUSE' ? 'in-use' : (error.code ?? String(error))),
    );
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve('free')));
  });

const httpGet = (url: string, timeoutMs: number): Promise<HttpAnswer> =>
  new Promise((resolve) => {
    const get = url.startsWith('https:') ? httpsRequest : request;
    const req = get(url, { method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 64 * 1024) body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (error) => resolve({ error: error.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end();
  });

export const systemProbes = (): DoctorProbes => ({
  hardware: {},
  freeBytes: async (path) => {
    const s = await statfs(path);
    return s.bavail * s.bsize;
  },
  canWrite: async (dir) => {
    const probe = join(dir, `.doctor-${process.pid}`);
    try {
      await writeFile(probe, 'probe');
      await unlink(probe);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code ?? String(error);
    }
  },
  run,
  systemdRunning: () => existsSync('/run/systemd/system'),
  listen,
  httpGet,
});
