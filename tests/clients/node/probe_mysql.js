'use strict';
/*
 * Drives Mimir through Node's `mysql` package (mysqljs/mysql, from npm, in the
 * committed lockfile) and prints what the driver saw as one JSON object on
 * stdout, for tests/integration/test_literals.py.
 *
 *   node probe_mysql.js '<spec>'
 *
 * spec: {"port": N, "database": "mimir", "user": "...", "password": "...",
 *        "steps": [{"sql": "...", "params": [{"buffer": "Japan"} | "text" | 5]}]}
 *
 * `mysql` has no server-side prepared statements: it escapes each parameter
 * into the statement itself (a Buffer as X'4a6170616e') and sends one
 * COM_QUERY. Every step runs on the same connection and reports either
 * {"columns": [{"name", "type"}], "rows": [[...]]} or
 * {"error": {"code", "errno", "sqlstate", "message"}}; binary values come
 * back as Buffers and are reported as {"hex": "..."}.
 */
const mysql = require('mysql');

function plain(value) {
  if (Buffer.isBuffer(value)) return { hex: value.toString('hex') };
  if (value instanceof Date) return value.toISOString();
  return value;
}

function param(p) {
  return p !== null && typeof p === 'object' && 'buffer' in p ? Buffer.from(p.buffer, 'utf8') : p;
}

function runStep(conn, step) {
  return new Promise((resolve) => {
    const sql = { sql: step.sql, values: (step.params || []).map(param) };
    conn.query(sql, (err, rows, fields) => {
      if (err) {
        resolve({ error: { code: err.code || null, errno: err.errno || null,
                           sqlstate: err.sqlState || null, message: err.sqlMessage || err.message } });
        return;
      }
      resolve({
        columns: (fields || []).map((f) => ({ name: f.name, type: f.type })),
        rows: Array.isArray(rows) ? rows.map((r) => (fields || []).map((f) => plain(r[f.name]))) : [],
      });
    });
  });
}

async function main() {
  const spec = JSON.parse(process.argv[2]);
  const conn = mysql.createConnection({
    host: '127.0.0.1', port: spec.port, user: spec.user || 'root', password: spec.password || '',
    database: spec.database, supportBigNumbers: true,
    // DECIMAL as strings keeps their exact digits, as in probe.js.
    typeCast: (field, next) => (field.type === 'NEWDECIMAL' ? field.string() : next()),
  });
  const out = {};
  const steps = [];
  for (const step of spec.steps) steps.push(await runStep(conn, step));
  out.steps = steps;
  conn.end(() => {
    process.stdout.write(JSON.stringify(out) + '\n');
  });
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ connect: e.message }) + '\n');
  process.exit(0);
});
