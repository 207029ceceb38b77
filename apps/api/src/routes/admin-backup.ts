import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import { snapshotDatabase, writeAudit } from '@switchyard/db';
import type { RouteDeps } from '../context.ts';
import { assertAdmin } from '../auth.ts';
import { ErrorResponses, v1Router } from './openapi.ts';

const backup = createRoute({
  method: 'get',
  path: '/admin/backup',
  summary: 'A consistent snapshot of the SQLite database, taken online (admin)',
  description:
    'Copies the live database with SQLite’s online backup API while tasks keep running, then streams the copy. ' +
    'Restore offline: stop the API, put the file in place as switchyard.db, remove switchyard.db-wal and -shm, start.',
  responses: {
    200: {
      description: 'The SQLite database file',
      content: { 'application/vnd.sqlite3': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    ...ErrorResponses,
  },
});

/** `GET /v1/admin/backup`: the database as one file, for `switchyard admin backup FILE`. */
export function adminBackupRoutes(deps: RouteDeps) {
  const app = v1Router();

  app.openapi(backup, async (c) => {
    const p = c.get('principal');
    assertAdmin(p);
    const snap = await snapshotDatabase(deps.db);
    writeAudit(deps.db.db, { actor: p.name, teamId: null, action: 'database.backup', targetType: 'database', targetId: null, details: { bytes: snap.bytes } });
    c.get('logger').info({ bytes: snap.bytes }, 'database backup taken');
    const stream = createReadStream(snap.file);
    // The open descriptor keeps the data readable after the unlink; removed either way once done.
    stream.once('open', snap.remove);
    stream.once('close', snap.remove);
    return new Response(Readable.toWeb(stream) as ReadableStream, {
      status: 200,
      headers: {
        'content-type': 'application/vnd.sqlite3',
        'content-length': String(snap.bytes),
        'content-disposition': 'attachment; filename="switchyard.db"',
        'cache-control': 'no-store',
      },
    }) as never;
  });

  return app;
}
