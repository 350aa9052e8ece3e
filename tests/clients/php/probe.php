<?php
/*
 * Drives Mimir through PHP's mysqli (Debian's php-mysql: mysqlnd, the server-side
 * prepared statements PHP applications use) and prints what the driver saw as
 * one JSON object on stdout, for tests/integration/test_client_php.py to
 * compare with PostgreSQL.
 *
 *   php probe.php '<spec>'
 *
 * spec: {"port": N, "database": "mimir", "steps": [step, ...]}; every step runs
 * on the same connection, in order, and reports its result or
 * {"error": {"errno", "sqlstate", "message"}}:
 *
 *   {"kind": "query", "sql": "..."}
 *       mysqli::query (text protocol) -> {"rows": [[...]]}
 *   {"kind": "long_data", "sql": "...", "chunks": ["Act", "ion"]}
 *       PHP's documented pattern for a value sent in pieces: bind_param('b',
 *       $null), send_long_data(0, chunk) for each chunk, execute, then the rows
 *       through get_result() -> {"rows": [[...]]}
 *   {"kind": "metadata", "sql": "...", "types": "s", "params": ["Action"]}
 *       result_metadata() and bind_result() BEFORE execute(), as PHP code that
 *       binds its result variables once does; then execute, fetch through the
 *       bound variables, and result_metadata() again ->
 *       {"before": [field...] | null, "bound": bool, "rows": [[...]],
 *        "after": [field...]}, a field being {name, orgname, table, db, type,
 *        flags, decimals, length, charsetnr}.
 *
 * mysqli throws mysqli_sql_exception on errors (PHP 8.1's default report mode);
 * a step's error is reported and the next step runs on the same connection.
 * Values are what PHP gives: ints as numbers, DECIMAL and dates as strings.
 */

mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);

function fields_of($meta)
{
    if ($meta === false) {
        return null;
    }
    $out = [];
    foreach ($meta->fetch_fields() as $f) {
        $out[] = ['name' => $f->name, 'orgname' => $f->orgname, 'table' => $f->table,
                  'db' => $f->db, 'type' => $f->type, 'flags' => $f->flags,
                  'decimals' => $f->decimals, 'length' => $f->length,
                  'charsetnr' => $f->charsetnr];
    }
    return $out;
}

function rows_of($result)
{
    $rows = [];
    while ($row = $result->fetch_row()) {
        $rows[] = $row;
    }
    return $rows;
}

function step_long_data($db, $step)
{
    $stmt = $db->prepare($step['sql']);
    $null = null;
    $stmt->bind_param('b', $null);
    foreach ($step['chunks'] as $chunk) {
        $stmt->send_long_data(0, $chunk);
    }
    $stmt->execute();
    $rows = rows_of($stmt->get_result());
    $stmt->close();
    return ['rows' => $rows];
}

function step_metadata($db, $step)
{
    $stmt = $db->prepare($step['sql']);
    $before = fields_of($stmt->result_metadata());
    /* Bind one variable per column announced by the prepare, before executing. */
    $vars = array_fill(0, $before === null ? 0 : count($before), null);
    $refs = [];
    foreach ($vars as $i => $unused) {
        $refs[$i] = &$vars[$i];
    }
    $bound = $before !== null && $stmt->bind_result(...$refs);
    if (isset($step['params']) && count($step['params']) > 0) {
        $params = $step['params'];
        $stmt->bind_param($step['types'], ...$params);
    }
    $stmt->execute();
    $rows = [];
    if ($bound) {
        while ($stmt->fetch()) {
            /* A copy of the values: the bound slots are references, reused by the next fetch. */
            $row = [];
            foreach ($vars as $value) {
                $row[] = $value;
            }
            $rows[] = $row;
        }
    }
    $after = fields_of($stmt->result_metadata());
    $stmt->close();
    return ['before' => $before, 'bound' => $bound, 'rows' => $rows, 'after' => $after];
}

function run_step($db, $step)
{
    try {
        switch ($step['kind']) {
        case 'query':
            return ['rows' => rows_of($db->query($step['sql']))];
        case 'long_data':
            return step_long_data($db, $step);
        case 'metadata':
            return step_metadata($db, $step);
        }
        return ['error' => ['errno' => 0, 'sqlstate' => '', 'message' => 'unknown step kind']];
    } catch (mysqli_sql_exception $e) {
        return ['error' => ['errno' => $e->getCode(), 'sqlstate' => $e->getSqlState(),
                            'message' => $e->getMessage()]];
    }
}

$spec = json_decode($argv[1], true);
$out = ['client' => 'PHP ' . PHP_VERSION . ' mysqli (' . mysqli_get_client_info() . ')',
        'steps' => []];
try {
    $db = new mysqli('127.0.0.1', $spec['user'] ?? 'anyone', $spec['password'] ?? '',
                     $spec['database'] ?? '', $spec['port']);
} catch (mysqli_sql_exception $e) {
    $out['connect'] = ['errno' => $e->getCode(), 'message' => $e->getMessage()];
    echo json_encode($out), "\n";
    exit(0);
}
foreach ($spec['steps'] as $step) {
    $out['steps'][] = run_step($db, $step);
}
$db->close();
echo json_encode($out), "\n";
