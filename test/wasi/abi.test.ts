/** The preview1 ABI: record layouts as witx lays them out, rights sets, the narrowing of 64-bit rights. */

import assert from "node:assert/strict";
import { test } from "node:test";
import { VmReader, VmWriter, type Infallible } from "vmio";
import {
  ALL_RIGHTS, DIR_INHERITING_RIGHTS, DIR_RIGHTS, DirentRecord, EventRecord, FILE_RIGHTS, FdstatRecord, FilestatRecord,
  PrestatRecord, Rights, STDIO_RIGHTS, SubscriptionClock, SubscriptionHead, rightsFrom,
} from "../../src/wasi/abi.js";

/** Encodes `value` and returns the bytes, to see where each field lands. */
function bytesOf(t: { size: number }, write: (w: VmWriter<Infallible>) => void): Uint8Array {
  const b = new Uint8Array(t.size);
  write(VmWriter.from(b));
  return b;
}

test("records have witx's sizes and offsets", () => {
  assert.equal(FilestatRecord.size, 64);
  const st = bytesOf(FilestatRecord, (w) => w.writeVal(FilestatRecord, { dev: 1n, ino: 2n, filetype: 3, nlink: 4n, size: 5n, atim: 6n, mtim: 7n, ctim: 8n }));
  assert.deepEqual([0, 8, 16, 24, 32, 40, 48, 56].map((o) => st[o]), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(FdstatRecord.size, 24);
  const fd = bytesOf(FdstatRecord, (w) => w.writeVal(FdstatRecord, { filetype: 4, flags: 0x0102, rightsBase: 9n, rightsInheriting: 10n }));
  assert.deepEqual([fd[0], fd[2], fd[3], fd[8], fd[16]], [4, 2, 1, 9, 10]);
  assert.equal(PrestatRecord.size, 8);
  assert.equal(bytesOf(PrestatRecord, (w) => w.writeVal(PrestatRecord, { tag: 0, nameLen: 7 }))[4], 7);
  assert.equal(DirentRecord.size, 24);
  const de = bytesOf(DirentRecord, (w) => w.writeVal(DirentRecord, { next: 1n, ino: 2n, namlen: 3, type: 4 }));
  assert.deepEqual([de[0], de[8], de[16], de[20]], [1, 2, 3, 4]);
  assert.equal(EventRecord.size, 32);
  const ev = bytesOf(EventRecord, (w) => w.writeVal(EventRecord, { userdata: 1n, error: 2, type: 3, nbytes: 4n, flags: 5 }));
  assert.deepEqual([ev[0], ev[8], ev[10], ev[16], ev[24]], [1, 2, 3, 4, 5]);
  const head = new Uint8Array(16);
  head[0] = 7;
  head[8] = 2;
  assert.deepEqual(VmReader.from(head).readVal(SubscriptionHead), { userdata: 7n, tag: 2 });
  assert.equal(SubscriptionClock.size, 32, "id, timeout at 8, precision at 16, flags at 24: 48 bytes with the head");
});

test("rights sets: a directory holds no data rights, a file no path rights; inheriting covers both", () => {
  assert.equal(DIR_RIGHTS & (Rights.FD_READ | Rights.FD_WRITE | Rights.FD_SEEK | Rights.FD_FILESTAT_SET_SIZE), 0);
  assert.equal(FILE_RIGHTS & (Rights.PATH_OPEN | Rights.FD_READDIR), 0);
  assert.equal(DIR_INHERITING_RIGHTS, DIR_RIGHTS | FILE_RIGHTS);
  assert.equal(STDIO_RIGHTS & Rights.FD_SEEK, 0, "stdio is not seekable: wasi-libc's isatty needs that");
  assert.equal(ALL_RIGHTS, 2 ** 30 - 1);
});

test("rightsFrom narrows a 64-bit rights value, or refuses an undefined bit with -1", () => {
  assert.equal(rightsFrom(BigInt(ALL_RIGHTS)), ALL_RIGHTS);
  assert.equal(rightsFrom(0n), 0);
  assert.equal(rightsFrom(1n << 30n), -1);
  assert.equal(rightsFrom(-1n), -1, "an i64 -1 is all 64 bits");
  // A bigint beyond the i64 range (a JS caller's) is taken modulo 2^64, as wasm's ToBigInt64 takes it.
  assert.equal(rightsFrom(2n ** 64n + 5n), 5);
  assert.equal(rightsFrom(5n - 2n ** 64n), 5);
  assert.equal(rightsFrom(BigInt(ALL_RIGHTS) + 3n * 2n ** 64n), ALL_RIGHTS);
});
