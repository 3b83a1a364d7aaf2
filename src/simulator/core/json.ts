// TGI's serde decoder tells integers from floats and reads u64 seeds exactly, which
// JSON.parse cannot. The parser keeps each number's source text (and, like serde_json,
// reports syntax errors by line and column); seeds travel as bigint and are written
// back as bare digits. Type errors name the offending value as serde does.

export class JsonNumber {
  readonly source: string;
  readonly value: number;

  constructor(source: string) {
    this.source = source;
    this.value = Number(source);
  }

  get isInteger(): boolean {
    return /^-?\d+$/.test(this.source);
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

const U64_MARK = '\u0000u64:';
const U64_PATTERN = /"\\u0000u64:(\d+)"/g;

/** JSON.stringify that also writes bigint values as exact integers. */
export function stringifyJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, field: unknown) =>
    typeof field === 'bigint' ? `${U64_MARK}${field.toString()}` : field,
  );
  return text.replace(U64_PATTERN, '$1');
}

/** serde's description of an unexpected JSON value, for the decoders' type errors. */
export function unexpected(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return `boolean \`${value}\``;
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (value instanceof JsonNumber) {
    return value.isInteger ? `integer \`${value.source}\`` : `floating point \`${value.value}\``;
  }
  return Array.isArray(value) ? 'sequence' : 'map';
}
