'use strict';
/*
 * Drives Mimir through Node's mysql2 and prints what the driver saw as one JSON
 * object on stdout, for tests/integration/test_client_node.py to compare with
 * PostgreSQL.
 *
 *   node probe.js '<spec>'
 *
 * spec: {"port": N, "database": "mimir", "user": "...", "password": "...",
 *        "ssl_ca": "/path/ca.crt" (TLS, verifying the server's certificate),
 *        "steps": [{"kind": "query" | "execute", "sql": "...", "params": [...]}]}
 *
 * `query` is mysql2's text protocol (parameters interpolated client-side);
 * `execute` prepares the statement on the server (COM_STMT_PREPARE) and reads
 * binary rows. Every step runs on the same connection and reports either
 * {"columns": [{"name", "columnType"}], "rows": [[...]]} or
 * {"error": {"code", "errno", "sqlstate", "message"}}. DECIMAL values arrive as
 * strings (mysql2's default), which keeps their exact digits.
 */
const fs = require('fs');
const mysql = require('mysql2/promise');

function describeError(e) {
  return { error: { code: e.code || null, errno: e.errno || null,
                    sqlstate: e.sqlState || null, message: e.message } };
}

function plain(value) {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'bigint') return value.toString();
  return value;
}

async function runStep(conn, step) {
  const run = step.kind === 'execute' ? conn.execute.bind(conn) : conn.query.bind(conn);
  const [rows, fields] = await run({ sql: step.sql, rowsAsArray: true }, step.params || []);
  return {
    columns: (fields || []).map((f) => ({ name: f.name, columnType: f.columnType })),
    rows: Array.isArray(rows) ? rows.map((r) => r.map(plain)) : [],
  };
}

async function main() {
  const spec = JSON.parse(process.argv[2]);
  const out = { steps: [] };
  let conn;
  try {
    conn = await mysql.createConnection({
      host: '127.0.0.1', port: spec.port, user: spec.user || 'anyone',
      password: spec.password || '', database: spec.database || undefined,
      connectTimeout: 10000,
      ssl: spec.ssl_ca ? { ca: fs.readFileSync(spec.ssl_ca) } : undefined,
    });
  } catch (e) {
    out.connect = describeError(e);
    process.stdout.write(JSON.stringify(out) + '\n');
    return;
  }
  for (const step of spec.steps) {
    try {
      out.steps.push(await runStep(conn, step));
    } catch (e) {
      out.steps.push(describeError(e));
    }
  }
  await conn.end().catch(() => conn.destroy());
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exit(1);
});
