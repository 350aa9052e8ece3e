# Drives Mimir through Ruby's mysql2 (Debian's ruby-mysql2, over libmariadb)
# and prints what the driver saw as one JSON object on stdout, for
# tests/integration/test_client_ruby.py to compare with PostgreSQL.
#
#   ruby probe.rb '<spec>'
#
# spec: {"port": N, "database": "mimir", "steps": [step, ...]}; every step runs
# on the same connection and reports its result or
# {"error": {"errno", "sqlstate", "message"}}:
#
#   {"kind": "query", "sql": "..."}                -> {"rows": [[...]]}
#   {"kind": "prepare", "sql": "...", "params": [...]}
#       Client#prepare, Statement#fields BEFORE execute (what
#       COM_STMT_PREPARE announced), then Statement#execute(*params) ->
#       {"fields": [...], "rows": [[...]], "result_fields": [...]}
#
# Values as mysql2 gives them: Integer as numbers, BigDecimal as its exact
# digits, Date and Time as text.
require 'bigdecimal'
require 'json'
require 'mysql2'

def plain(value)
  case value
  when BigDecimal then value.to_s('F')
  when Time then value.strftime('%Y-%m-%d %H:%M:%S')
  when Date then value.strftime('%Y-%m-%d')
  else value
  end
end

def rows_of(result)
  rows = []
  result.each { |row| rows << row.map { |v| plain(v) } }
  rows
end

def run_step(client, step)
  case step['kind']
  when 'query'
    { 'rows' => rows_of(client.query(step['sql'], as: :array)) }
  when 'prepare'
    stmt = client.prepare(step['sql'])
    fields = stmt.fields
    result = stmt.execute(*(step['params'] || []), as: :array)
    out = { 'fields' => fields, 'rows' => rows_of(result), 'result_fields' => result.fields }
    stmt.close
    out
  else
    { 'error' => { 'errno' => 0, 'sqlstate' => '', 'message' => 'unknown step kind' } }
  end
rescue Mysql2::Error => e
  { 'error' => { 'errno' => e.error_number, 'sqlstate' => e.sql_state, 'message' => e.message } }
end

spec = JSON.parse(ARGV[0])
out = { 'client' => "Ruby #{RUBY_VERSION} mysql2 #{Mysql2::VERSION}", 'steps' => [] }
begin
  client = Mysql2::Client.new(host: '127.0.0.1', port: spec['port'], username: 'anyone',
                              password: '', database: spec['database'])
rescue Mysql2::Error => e
  out['connect'] = { 'errno' => e.error_number, 'message' => e.message }
  puts JSON.generate(out)
  exit 0
end
spec['steps'].each { |step| out['steps'] << run_step(client, step) }
client.close
puts JSON.generate(out)
