import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HqHttpOptions } from './server.ts';

/** Reports under /v1/admin/reports (filled in by reports.ts); false when the path is not a report. */
export async function handleReports(
  _req: IncomingMessage,
  _res: ServerResponse,
  _url: URL,
  _opts: HqHttpOptions,
): Promise<boolean> {
  return false;
}
