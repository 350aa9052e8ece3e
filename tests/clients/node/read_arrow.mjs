// Reads an Arrow IPC stream from stdin with apache-arrow (the real reader the
// Arrow stream encoder of proxy/http/arrow_stream.c is checked against) and
// prints one JSON document:
//
//   {"fields": [{"name", "type", "nullable"}],
//    "batches": [{"length", "null_counts": [...]}],
//    "columns": [[value, ...], ...]}     (every batch's rows, in order)
//
// Types are spelled from the type objects' own properties: int8..int64,
// uint8..uint64, float32, float64, decimal(precision,scale,bitWidth),
// date32[day], time64[us], timestamp[us] or timestamp[us,tz=UTC], utf8,
// binary, null. Values are canonical strings (null stays null): integers in
// decimal; floats as the little-endian hex of their IEEE bits; decimals as
// exact text computed here from the raw two's complement words with BigInt
// (apache-arrow 21.2.0's own String() of a decimal is not usable: it ignores
// the scale, and printed -99999999999999999999999999999999999.99...9 of a
// decimal256(65,30) as -999999999999999999999999999); dates as YYYY-MM-DD;
// timestamps and times as microseconds; utf8 as the string; binary as hex.
//
// Usage: node read_arrow.mjs < stream.arrows   (run from the directory
// holding node_modules, as tests/integration/client_support.py does)
import { RecordBatchReader, Type, Precision, DateUnit, TimeUnit } from 'apache-arrow';

const UNITS = { [TimeUnit.SECOND]: 's', [TimeUnit.MILLISECOND]: 'ms',
                [TimeUnit.MICROSECOND]: 'us', [TimeUnit.NANOSECOND]: 'ns' };

function typeName(t) {
  switch (t.typeId) {
    case Type.Int: return `${t.isSigned ? 'int' : 'uint'}${t.bitWidth}`;
    case Type.Float:
      return { [Precision.HALF]: 'float16', [Precision.SINGLE]: 'float32',
               [Precision.DOUBLE]: 'float64' }[t.precision];
    case Type.Decimal: return `decimal(${t.precision},${t.scale},${t.bitWidth})`;
    case Type.Date: return t.unit === DateUnit.DAY ? 'date32[day]' : 'date64[ms]';
    case Type.Time: return `time${t.bitWidth}[${UNITS[t.unit]}]`;
    case Type.Timestamp:
      return t.timezone ? `timestamp[${UNITS[t.unit]},tz=${t.timezone}]`
                        : `timestamp[${UNITS[t.unit]}]`;
    case Type.Utf8: return 'utf8';
    case Type.Binary: return 'binary';
    case Type.Null: return 'null';
    default: return `unexpected:${Type[t.typeId]}`;
  }
}

const hex = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

// The raw two's complement words of a decimal as exact text.
function decimalText(data, row) {
  const stride = data.type.bitWidth / 32;
  const words = data.values.subarray((data.offset + row) * stride, (data.offset + row + 1) * stride);
  let v = 0n;
  for (let k = stride - 1; k >= 0; k--) v = (v << 32n) | BigInt(words[k]);
  if (words[stride - 1] & 0x80000000) v -= 1n << BigInt(data.type.bitWidth);
  const neg = v < 0n;
  let digits = (neg ? -v : v).toString();
  const scale = data.type.scale;
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return (neg ? '-' : '') + digits;
}

function dateText(days) {
  const d = new Date(days * 86400000);
  const y = d.getUTCFullYear();
  const pad = (n, w) => String(n).padStart(w, '0');
  return `${y < 0 ? '-' : ''}${pad(Math.abs(y), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

function value(data, vec, row) {
  if (data.type.typeId === Type.Null || !vec.isValid(row)) return null;
  const t = data.type;
  const i = data.offset + row;
  switch (t.typeId) {
    case Type.Int: case Type.Timestamp: case Type.Time: return String(data.values[i]);
    case Type.Float: {
      const raw = data.values.subarray(i, i + 1);
      return hex(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
    }
    case Type.Decimal: return decimalText(data, row);
    case Type.Date: return dateText(data.values[i]);
    case Type.Utf8: return vec.get(row);
    case Type.Binary: return hex(vec.get(row));
    default: return `unexpected:${Type[t.typeId]}`;
  }
}

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const input = Buffer.concat(chunks);

const reader = RecordBatchReader.from(new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
reader.open();
const fields = reader.schema.fields;
const out = {
  fields: fields.map((f) => ({ name: f.name, type: typeName(f.type), nullable: f.nullable })),
  batches: [],
  columns: fields.map(() => []),
};
for (const batch of reader) {
  // A stream without record batches still yields one empty batch of this
  // class (apache-arrow's reader does so to carry the schema): not a batch of
  // the stream, so not reported.
  if (batch.constructor.name === '_InternalEmptyPlaceholderRecordBatch') continue;
  const nulls = [];
  fields.forEach((f, c) => {
    const vec = batch.getChildAt(c);
    const data = vec.data[0];
    nulls.push(vec.nullCount);
    for (let r = 0; r < batch.numRows; r++) out.columns[c].push(value(data, vec, r));
  });
  out.batches.push({ length: batch.numRows, null_counts: nulls });
}
process.stdout.write(JSON.stringify(out) + '\n');
