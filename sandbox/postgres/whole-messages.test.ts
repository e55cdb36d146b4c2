import { describe, expect, it } from "vitest";
import { WholeMessages } from "./whole-messages";

const untyped = (code: number, body = Buffer.alloc(0)) => {
  const header = Buffer.alloc(8);
  header.writeInt32BE(8 + body.length, 0);
  header.writeInt32BE(code, 4);
  return Buffer.concat([header, body]);
};
const typed = (type: string, body: Buffer) => {
  const header = Buffer.alloc(5);
  header.write(type, 0);
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
};
const SSL_REQUEST = untyped(80_877_103);
const STARTUP = untyped(196_608, Buffer.from("user\0postgres\0database\0postgres\0\0"));
const pieces = (bytes: Buffer, size: number) => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

describe("whole Postgres messages from a byte stream", () => {
  it("passes the startup, then holds a large message back until its last piece and hands it over once", () => {
    const messages = new WholeMessages();
    expect(messages.push(SSL_REQUEST)).toEqual(SSL_REQUEST);
    expect(messages.push(STARTUP)).toEqual(STARTUP);
    const insert = typed("Q", Buffer.from(`insert into t values ('${"Ærø (4.2) ".repeat(30_000)}')\0`));
    const parts = pieces(insert, 65_536);
    expect(parts.length).toBeGreaterThan(4);
    const delivered = parts.map((part) => messages.push(part));
    expect(delivered.slice(0, -1)).toEqual(parts.slice(0, -1).map(() => null));
    expect(delivered.at(-1)).toEqual(insert);
  });

  it("cuts after the last whole message and keeps the rest, even within a header", () => {
    const messages = new WholeMessages();
    messages.push(STARTUP);
    const parse = typed("P", Buffer.from("\0select 1\0\0\0"));
    const sync = typed("S", Buffer.alloc(0));
    const stream = Buffer.concat([parse, sync, parse]);
    // Cut inside the third message's length.
    const cut = parse.length + sync.length + 3;
    expect(messages.push(stream.subarray(0, cut))).toEqual(Buffer.concat([parse, sync]));
    expect(messages.push(stream.subarray(cut, cut + 4))).toBeNull();
    expect(messages.push(stream.subarray(cut + 4))).toEqual(parse);
  });

  it("treats a first message that is no startup request as typed, as the server would", () => {
    const messages = new WholeMessages();
    const query = typed("Q", Buffer.from("select 1\0"));
    expect(messages.push(query)).toEqual(query);
  });
});
