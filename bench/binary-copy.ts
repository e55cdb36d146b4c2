/**
 * Rows in PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format"),
 * for loading vectors without printing and parsing 1,536 decimals each: parsing them is most of a text load's time,
 * twenty times the rest in PGlite. Each field is its type's binary send format.
 */
const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");

export const field = {
  uuid: (id: string) => Buffer.from(id.replaceAll("-", ""), "hex"),
  int4: (n: number) => {
    const bytes = Buffer.alloc(4);
    bytes.writeInt32BE(n);
    return bytes;
  },
  text: (s: string) => Buffer.from(s, "utf8"),
  bool: (b: boolean) => Buffer.from([b ? 1 : 0]),
  /** pgvector's `vector_send`: int16 dimensions, int16 unused, then float4 each. */
  vector: (values: Float32Array) => {
    const bytes = Buffer.alloc(4 + 4 * values.length);
    bytes.writeInt16BE(values.length, 0);
    values.forEach((v, i) => bytes.writeFloatBE(v, 4 + 4 * i));
    return bytes;
  },
};

/** The whole COPY input: header, each row's fields (none null) and the trailer. */
export function binaryCopy(rows: Buffer[][]) {
  const parts: Buffer[] = [SIGNATURE, Buffer.alloc(8)]; // flags and header-extension length, both 0
  for (const fields of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(fields.length);
    parts.push(count);
    for (const value of fields) {
      const length = Buffer.alloc(4);
      length.writeInt32BE(value.length);
      parts.push(length, value);
    }
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  parts.push(trailer);
  return Buffer.concat(parts);
}
