/**
 * The WASI preview1 ABI: errnos, rights, flags and the records the guest
 * and the host exchange (`wasi_snapshot_preview1`, witx `typenames.witx`).
 *
 * Values are plain numbers: every flag set of preview1 fits in 30 bits, so
 * the 64-bit `rights` arrive as a bigint at the import boundary and are
 * narrowed here once (see {@link rightsFrom}). Records are vmio Pod structs:
 * their C layout rules give exactly witx's offsets, so the schema is the
 * single source of truth for both the layout and the TypeScript type.
 *
 * @module
 */

import { u8, u16, u32, u64 } from "../pod/scalars.js";
import { struct } from "../pod/struct.js";

/**
 * `errno` (witx `typenames.witx`): the values a preview1 function returns,
 * by name (`Errno.NOENT === 44`). Each member's comment is witx's meaning,
 * then, where it says more, when vmio/wasi answers it.
 */
export const Errno = {
  /** No error occurred: the call completed successfully. */
  SUCCESS: 0,
  /** Argument list too long (`E2BIG`). */
  TOOBIG: 1,
  /** Permission denied. vmio/wasi: a permission bit (`MemoryDir` modes, or the host's) forbids the access. */
  ACCES: 2,
  /** Address in use. */
  ADDRINUSE: 3,
  /** Address not available. */
  ADDRNOTAVAIL: 4,
  /** Address family not supported. */
  AFNOSUPPORT: 5,
  /** Resource unavailable, or operation would block. */
  AGAIN: 6,
  /** Connection already in progress. */
  ALREADY: 7,
  /** Bad file descriptor. vmio/wasi: also a socket call on a closed fd, and a read or write on the wrong end of stdio. */
  BADF: 8,
  /** Bad message. */
  BADMSG: 9,
  /** Device or resource busy. */
  BUSY: 10,
  /** Operation canceled. */
  CANCELED: 11,
  /** No child processes. */
  CHILD: 12,
  /** Connection aborted. */
  CONNABORTED: 13,
  /** Connection refused. */
  CONNREFUSED: 14,
  /** Connection reset. */
  CONNRESET: 15,
  /** Resource deadlock would occur. */
  DEADLK: 16,
  /** Destination address required. */
  DESTADDRREQ: 17,
  /** Mathematics argument out of domain of function. */
  DOM: 18,
  /** Reserved (disk quota exceeded). */
  DQUOT: 19,
  /** File exists. */
  EXIST: 20,
  /** Bad address. vmio/wasi: a guest pointer or length outside memory, answered before any side effect. */
  FAULT: 21,
  /** File too large. */
  FBIG: 22,
  /** Host is unreachable. */
  HOSTUNREACH: 23,
  /** Identifier removed. */
  IDRM: 24,
  /** Illegal byte sequence. vmio/wasi: a path that is not UTF-8. */
  ILSEQ: 25,
  /** Operation in progress. */
  INPROGRESS: 26,
  /** Interrupted function. */
  INTR: 27,
  /** Invalid argument. vmio/wasi: also a misaligned guest pointer, and a NUL in a path. */
  INVAL: 28,
  /** I/O error. vmio/wasi: also a host error that has no WASI errno. */
  IO: 29,
  /** Socket is connected. */
  ISCONN: 30,
  /** Is a directory. */
  ISDIR: 31,
  /** Too many levels of symbolic links; also a symlink opened without following it. */
  LOOP: 32,
  /** File descriptor value too large (too many open fds: vmio/wasi allows 1024). */
  MFILE: 33,
  /** Too many links. */
  MLINK: 34,
  /** Message too large. */
  MSGSIZE: 35,
  /** Reserved. */
  MULTIHOP: 36,
  /** Filename too long; also a buffer too short for `fd_prestat_dir_name`. */
  NAMETOOLONG: 37,
  /** Network is down. */
  NETDOWN: 38,
  /** Connection aborted by network. */
  NETRESET: 39,
  /** Network unreachable. */
  NETUNREACH: 40,
  /** Too many files open in system. */
  NFILE: 41,
  /** No buffer space available. */
  NOBUFS: 42,
  /** No such device. */
  NODEV: 43,
  /** No such file or directory. */
  NOENT: 44,
  /** Executable file format error. */
  NOEXEC: 45,
  /** No locks available. */
  NOLCK: 46,
  /** Reserved. */
  NOLINK: 47,
  /** Not enough space. */
  NOMEM: 48,
  /** No message of the desired type. */
  NOMSG: 49,
  /** Protocol not available. */
  NOPROTOOPT: 50,
  /** No space left on device. */
  NOSPC: 51,
  /** Function not supported. */
  NOSYS: 52,
  /** The socket is not connected. */
  NOTCONN: 53,
  /** Not a directory or a symbolic link to a directory. */
  NOTDIR: 54,
  /** Directory not empty. */
  NOTEMPTY: 55,
  /** State not recoverable. */
  NOTRECOVERABLE: 56,
  /** Not a socket. */
  NOTSOCK: 57,
  /** Not supported, or operation not supported on socket. */
  NOTSUP: 58,
  /** Inappropriate I/O control operation. */
  NOTTY: 59,
  /** No such device or address. */
  NXIO: 60,
  /** Value too large to be stored in data type. */
  OVERFLOW: 61,
  /** Previous owner died. */
  OWNERDEAD: 62,
  /** Operation not permitted (e.g. a hard link to a directory). */
  PERM: 63,
  /** Broken pipe. */
  PIPE: 64,
  /** Protocol error. */
  PROTO: 65,
  /** Protocol not supported. */
  PROTONOSUPPORT: 66,
  /** Protocol wrong type for socket. */
  PROTOTYPE: 67,
  /** Result too large. */
  RANGE: 68,
  /** Read-only file system. */
  ROFS: 69,
  /** Invalid seek. */
  SPIPE: 70,
  /** No such process. */
  SRCH: 71,
  /** Reserved. */
  STALE: 72,
  /** Connection timed out. */
  TIMEDOUT: 73,
  /** Text file busy. */
  TXTBSY: 74,
  /** Cross-device link (a link or rename between two preopens of different backends or `MemoryDir`s). */
  XDEV: 75,
  /** Extension: capabilities insufficient. vmio/wasi: the fd lacks a right the call needs, or a path leads out of its directory (`..`, an absolute path or symlink). */
  NOTCAPABLE: 76,
} as const;

/** One `errno` value: a number from 0 (`SUCCESS`) to 76 (`NOTCAPABLE`). */
export type ErrnoValue = (typeof Errno)[keyof typeof Errno];

/** `rights` bits (witx): what an fd may be used for. */
export const Rights = {
  FD_DATASYNC: 1 << 0, FD_READ: 1 << 1, FD_SEEK: 1 << 2, FD_FDSTAT_SET_FLAGS: 1 << 3, FD_SYNC: 1 << 4,
  FD_TELL: 1 << 5, FD_WRITE: 1 << 6, FD_ADVISE: 1 << 7, FD_ALLOCATE: 1 << 8, PATH_CREATE_DIRECTORY: 1 << 9,
  PATH_CREATE_FILE: 1 << 10, PATH_LINK_SOURCE: 1 << 11, PATH_LINK_TARGET: 1 << 12, PATH_OPEN: 1 << 13,
  FD_READDIR: 1 << 14, PATH_READLINK: 1 << 15, PATH_RENAME_SOURCE: 1 << 16, PATH_RENAME_TARGET: 1 << 17,
  PATH_FILESTAT_GET: 1 << 18, PATH_FILESTAT_SET_SIZE: 1 << 19, PATH_FILESTAT_SET_TIMES: 1 << 20,
  FD_FILESTAT_GET: 1 << 21, FD_FILESTAT_SET_SIZE: 1 << 22, FD_FILESTAT_SET_TIMES: 1 << 23, PATH_SYMLINK: 1 << 24,
  PATH_REMOVE_DIRECTORY: 1 << 25, PATH_UNLINK_FILE: 1 << 26, POLL_FD_READWRITE: 1 << 27, SOCK_SHUTDOWN: 1 << 28,
  SOCK_ACCEPT: 1 << 29,
} as const;

/** Every defined rights bit. */
export const ALL_RIGHTS = (1 << 30) - 1;

/**
 * The most a regular file's fd can hold (wasi-common's `REGULAR_FILE_BASE`).
 * An fd's rights are always cut down to its kind's maximum, so a directory
 * never shows `fd_seek` or `fd_filestat_set_size`.
 */
export const FILE_RIGHTS =
  Rights.FD_DATASYNC | Rights.FD_READ | Rights.FD_SEEK | Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_SYNC |
  Rights.FD_TELL | Rights.FD_WRITE | Rights.FD_ADVISE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_GET |
  Rights.FD_FILESTAT_SET_SIZE | Rights.FD_FILESTAT_SET_TIMES | Rights.POLL_FD_READWRITE;

/** The most a directory's fd can hold (wasi-common's `DIRECTORY_BASE`). */
export const DIR_RIGHTS =
  Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_SYNC | Rights.FD_ADVISE | Rights.PATH_CREATE_DIRECTORY |
  Rights.PATH_CREATE_FILE | Rights.PATH_LINK_SOURCE | Rights.PATH_LINK_TARGET | Rights.PATH_OPEN |
  Rights.FD_READDIR | Rights.PATH_READLINK | Rights.PATH_RENAME_SOURCE | Rights.PATH_RENAME_TARGET |
  Rights.PATH_FILESTAT_GET | Rights.PATH_FILESTAT_SET_SIZE | Rights.PATH_FILESTAT_SET_TIMES |
  Rights.FD_FILESTAT_GET | Rights.FD_FILESTAT_SET_TIMES | Rights.PATH_SYMLINK | Rights.PATH_UNLINK_FILE |
  Rights.PATH_REMOVE_DIRECTORY | Rights.POLL_FD_READWRITE;

/** What a directory passes on to what is opened through it: anything a directory or a file can hold. */
export const DIR_INHERITING_RIGHTS = DIR_RIGHTS | FILE_RIGHTS;

/** The most stdin, stdout and stderr hold (wasi-common's `TTY_BASE`). */
export const STDIO_RIGHTS =
  Rights.FD_READ | Rights.FD_FDSTAT_SET_FLAGS | Rights.FD_WRITE | Rights.FD_FILESTAT_GET | Rights.POLL_FD_READWRITE;

/** `filetype` (witx). */
export const Filetype = {
  UNKNOWN: 0, BLOCK_DEVICE: 1, CHARACTER_DEVICE: 2, DIRECTORY: 3, REGULAR_FILE: 4, SOCKET_DGRAM: 5,
  SOCKET_STREAM: 6, SYMBOLIC_LINK: 7,
} as const;

/** `fdflags` (witx). */
export const Fdflags = { APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 } as const;
/** Every defined `fdflags` bit. */
export const ALL_FDFLAGS = 31;

/** `oflags` (witx). */
export const Oflags = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;
/** Every defined `oflags` bit. */
export const ALL_OFLAGS = 15;

/** `lookupflags` (witx): only `symlink_follow`. */
export const LOOKUP_SYMLINK_FOLLOW = 1;

/** `fstflags` (witx). */
export const Fstflags = { ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 } as const;
/** Every defined `fstflags` bit. */
export const ALL_FSTFLAGS = 15;

/** `whence` (witx). */
export const Whence = { SET: 0, CUR: 1, END: 2 } as const;

/** `clockid` (witx). */
export const Clockid = { REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME_ID: 2, THREAD_CPUTIME_ID: 3 } as const;

/** `eventtype` (witx). */
export const Eventtype = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 } as const;

/** `subclockflags::subscription_clock_abstime` (witx). */
export const SUBCLOCK_ABSTIME = 1;
/** `eventrwflags::fd_readwrite_hangup` (witx). */
export const EVENT_FD_READWRITE_HANGUP = 1;

/** `preopentype::dir` (witx), the only preopen kind. */
export const PREOPENTYPE_DIR = 0;

/** `sdflags` (witx). */
export const SDFLAGS_ALL = 3;

/**
 * `filestat` (witx): what `fd_filestat_get` and `path_filestat_get` store.
 * The Pod schema is the layout: 64 bytes, `filetype` at 16, `nlink` at 24.
 */
export const FilestatRecord = struct({ dev: u64, ino: u64, filetype: u8, nlink: u64, size: u64, atim: u64, mtim: u64, ctim: u64 });

/** `fdstat` (witx): 24 bytes; flags at 2, rights at 8 and 16. */
export const FdstatRecord = struct({ filetype: u8, flags: u16, rightsBase: u64, rightsInheriting: u64 });

/** `prestat` (witx) for a directory: the tag, then the name's length at 4. */
export const PrestatRecord = struct({ tag: u8, nameLen: u32 });

/** `dirent` (witx): 24 bytes, the name follows. */
export const DirentRecord = struct({ next: u64, ino: u64, namlen: u32, type: u8 });

/** `event` (witx): 32 bytes; `fd_readwrite.nbytes` at 16, its flags at 24. */
export const EventRecord = struct({ userdata: u64, error: u16, type: u8, nbytes: u64, flags: u16 });

/** `subscription` (witx), 48 bytes: this head, then at 16 the variant's body. */
export const SubscriptionHead = struct({ userdata: u64, tag: u8 });
/** Offset of a subscription's body (the union is 8-aligned). */
export const SUBSCRIPTION_BODY = 16;
/** Size of one `subscription`. */
export const SUBSCRIPTION_SIZE = 48;
/** `subscription_clock` (witx), at {@link SUBSCRIPTION_BODY}. */
export const SubscriptionClock = struct({ id: u32, timeout: u64, precision: u64, flags: u16 });
/** Size of one `event`. */
export const EVENT_SIZE = 32;

/**
 * Narrows a 64-bit `rights` argument, taken modulo 2^64 as every `i64` is,
 * to a number, or -1 when it sets a bit preview1 does not define
 * (wasmtime's flag decoding refuses those with `EINVAL`).
 */
export function rightsFrom(value: bigint): number {
  const bits = BigInt.asUintN(64, value);
  return bits > BigInt(ALL_RIGHTS) ? -1 : Number(bits);
}
