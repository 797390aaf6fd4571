import { execFile } from 'node:child_process';

export interface SystemdNotifier {
  ready(): void;
  stopping(): void;
  /** Starts the watchdog pings; returns the function that stops them. */
  watchdog(): () => void;
}

/**
 * The service contract of provisioning/systemd/loyalty-edge.service (Type=notify,
 * WatchdogSec): READY once the ports listen, WATCHDOG=1 from the event loop every half
 * period (a blocked loop misses it and systemd restarts us), STOPPING on shutdown. Through
 * `systemd-notify --pid` with NotifyAccess=all, so no native socket code is needed. Outside
 * systemd (no NOTIFY_SOCKET) it is null and nothing is sent.
 */
export const systemdNotifier = (env: NodeJS.ProcessEnv = process.env): SystemdNotifier | null => {
  if (!env.NOTIFY_SOCKET) return null;
  const send = (...args: string[]) => {
    execFile('systemd-notify', [`--pid=${process.pid}`, ...args], () => {
      // A failed notification is systemd's to notice (it restarts us); never ours to crash on.
    });
  };
  return {
    ready: () => send('--ready'),
    stopping: () => send('--stopping'),
    watchdog: () => {
      const usec = Number(env.WATCHDOG_USEC);
      if (!Number.isFinite(usec) || usec <= 0) return () => {};
      const timer = setInterval(() => send('WATCHDOG=1'), Math.max(1000, usec / 2000));
      timer.unref();
      return () => clearInterval(timer);
    },
  };
};
