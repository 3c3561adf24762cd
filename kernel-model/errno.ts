// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Linux errno values, as the kernel ABI returns them (negated: `-EINVAL`),
 * with their names and C-library messages so tests and host messages print
 * `EINVAL` rather than `-22`.
 *
 * Values are those of `include/uapi/asm-generic/errno-base.h` and
 * `errno.h`, which x86 (32 and 64-bit) and ppc64 share, plus the
 * kernel-internal codes of `include/linux/errno.h` (512 and up) that never
 * reach user space. `EWOULDBLOCK` and `EDEADLOCK` are aliases, as on x86
 * (powerpc's user headers give `EDEADLOCK` its own value, 58, which the
 * kernel never returns).
 *
 * @example Name a kernel-ABI return value
 * ```ts
 * import { EINVAL, errnoName } from "./errno.ts";
 * import assert from "node:assert/strict";
 *
 * const ret = -EINVAL;
 * assert.equal(errnoName(ret), "EINVAL");
 * ```
 *
 * @module
 */

/** Operation not permitted (1). */
export const EPERM = 1;
/** No such file or directory (2). */
export const ENOENT = 2;
/** No such process (3). */
export const ESRCH = 3;
/** Interrupted system call (4). */
export const EINTR = 4;
/** Input/output error (5). */
export const EIO = 5;
/** No such device or address (6). */
export const ENXIO = 6;
/** Argument list too long (7). */
export const E2BIG = 7;
/** Exec format error (8). */
export const ENOEXEC = 8;
/** Bad file descriptor (9). */
export const EBADF = 9;
/** No child processes (10). */
export const ECHILD = 10;
/** Resource temporarily unavailable (11). */
export const EAGAIN = 11;
/** Cannot allocate memory (12). */
export const ENOMEM = 12;
/** Permission denied (13). */
export const EACCES = 13;
/** Bad address (14). */
export const EFAULT = 14;
/** Block device required (15). */
export const ENOTBLK = 15;
/** Device or resource busy (16). */
export const EBUSY = 16;
/** File exists (17). */
export const EEXIST = 17;
/** Invalid cross-device link (18). */
export const EXDEV = 18;
/** No such device (19). */
export const ENODEV = 19;
/** Not a directory (20). */
export const ENOTDIR = 20;
/** Is a directory (21). */
export const EISDIR = 21;
/** Invalid argument (22). */
export const EINVAL = 22;
/** Too many open files in system (23). */
export const ENFILE = 23;
/** Too many open files (24). */
export const EMFILE = 24;
/** Inappropriate ioctl for device (25). */
export const ENOTTY = 25;
/** Text file busy (26). */
export const ETXTBSY = 26;
/** File too large (27). */
export const EFBIG = 27;
/** No space left on device (28). */
export const ENOSPC = 28;
/** Illegal seek (29). */
export const ESPIPE = 29;
/** Read-only file system (30). */
export const EROFS = 30;
/** Too many links (31). */
export const EMLINK = 31;
/** Broken pipe (32). */
export const EPIPE = 32;
/** Numerical argument out of domain (33). */
export const EDOM = 33;
/** Numerical result out of range (34). */
export const ERANGE = 34;
/** Resource deadlock avoided (35). */
export const EDEADLK = 35;
/** File name too long (36). */
export const ENAMETOOLONG = 36;
/** No locks available (37). */
export const ENOLCK = 37;
/** Function not implemented (38). */
export const ENOSYS = 38;
/** Directory not empty (39). */
export const ENOTEMPTY = 39;
/** Too many levels of symbolic links (40). */
export const ELOOP = 40;
/** No message of desired type (42). */
export const ENOMSG = 42;
/** Identifier removed (43). */
export const EIDRM = 43;
/** Channel number out of range (44). */
export const ECHRNG = 44;
/** Level 2 not synchronized (45). */
export const EL2NSYNC = 45;
/** Level 3 halted (46). */
export const EL3HLT = 46;
/** Level 3 reset (47). */
export const EL3RST = 47;
/** Link number out of range (48). */
export const ELNRNG = 48;
/** Protocol driver not attached (49). */
export const EUNATCH = 49;
/** No CSI structure available (50). */
export const ENOCSI = 50;
/** Level 2 halted (51). */
export const EL2HLT = 51;
/** Invalid exchange (52). */
export const EBADE = 52;
/** Invalid request descriptor (53). */
export const EBADR = 53;
/** Exchange full (54). */
export const EXFULL = 54;
/** No anode (55). */
export const ENOANO = 55;
/** Invalid request code (56). */
export const EBADRQC = 56;
/** Invalid slot (57). */
export const EBADSLT = 57;
/** Bad font file format (59). */
export const EBFONT = 59;
/** Device not a stream (60). */
export const ENOSTR = 60;
/** No data available (61). */
export const ENODATA = 61;
/** Timer expired (62). */
export const ETIME = 62;
/** Out of streams resources (63). */
export const ENOSR = 63;
/** Machine is not on the network (64). */
export const ENONET = 64;
/** Package not installed (65). */
export const ENOPKG = 65;
/** Object is remote (66). */
export const EREMOTE = 66;
/** Link has been severed (67). */
export const ENOLINK = 67;
/** Advertise error (68). */
export const EADV = 68;
/** Srmount error (69). */
export const ESRMNT = 69;
/** Communication error on send (70). */
export const ECOMM = 70;
/** Protocol error (71). */
export const EPROTO = 71;
/** Multihop attempted (72). */
export const EMULTIHOP = 72;
/** RFS specific error (73). */
export const EDOTDOT = 73;
/** Bad message (74). */
export const EBADMSG = 74;
/** Value too large for defined data type (75). */
export const EOVERFLOW = 75;
/** Name not unique on network (76). */
export const ENOTUNIQ = 76;
/** File descriptor in bad state (77). */
export const EBADFD = 77;
/** Remote address changed (78). */
export const EREMCHG = 78;
/** Can not access a needed shared library (79). */
export const ELIBACC = 79;
/** Accessing a corrupted shared library (80). */
export const ELIBBAD = 80;
/** .lib section in a.out corrupted (81). */
export const ELIBSCN = 81;
/** Attempting to link in too many shared libraries (82). */
export const ELIBMAX = 82;
/** Cannot exec a shared library directly (83). */
export const ELIBEXEC = 83;
/** Invalid or incomplete multibyte or wide character (84). */
export const EILSEQ = 84;
/** Interrupted system call should be restarted (85). */
export const ERESTART = 85;
/** Streams pipe error (86). */
export const ESTRPIPE = 86;
/** Too many users (87). */
export const EUSERS = 87;
/** Socket operation on non-socket (88). */
export const ENOTSOCK = 88;
/** Destination address required (89). */
export const EDESTADDRREQ = 89;
/** Message too long (90). */
export const EMSGSIZE = 90;
/** Protocol wrong type for socket (91). */
export const EPROTOTYPE = 91;
/** Protocol not available (92). */
export const ENOPROTOOPT = 92;
/** Protocol not supported (93). */
export const EPROTONOSUPPORT = 93;
/** Socket type not supported (94). */
export const ESOCKTNOSUPPORT = 94;
/** Operation not supported (95). */
export const EOPNOTSUPP = 95;
/** Protocol family not supported (96). */
export const EPFNOSUPPORT = 96;
/** Address family not supported by protocol (97). */
export const EAFNOSUPPORT = 97;
/** Address already in use (98). */
export const EADDRINUSE = 98;
/** Cannot assign requested address (99). */
export const EADDRNOTAVAIL = 99;
/** Network is down (100). */
export const ENETDOWN = 100;
/** Network is unreachable (101). */
export const ENETUNREACH = 101;
/** Network dropped connection on reset (102). */
export const ENETRESET = 102;
/** Software caused connection abort (103). */
export const ECONNABORTED = 103;
/** Connection reset by peer (104). */
export const ECONNRESET = 104;
/** No buffer space available (105). */
export const ENOBUFS = 105;
/** Transport endpoint is already connected (106). */
export const EISCONN = 106;
/** Transport endpoint is not connected (107). */
export const ENOTCONN = 107;
/** Cannot send after transport endpoint shutdown (108). */
export const ESHUTDOWN = 108;
/** Too many references: cannot splice (109). */
export const ETOOMANYREFS = 109;
/** Connection timed out (110). */
export const ETIMEDOUT = 110;
/** Connection refused (111). */
export const ECONNREFUSED = 111;
/** Host is down (112). */
export const EHOSTDOWN = 112;
/** No route to host (113). */
export const EHOSTUNREACH = 113;
/** Operation already in progress (114). */
export const EALREADY = 114;
/** Operation now in progress (115). */
export const EINPROGRESS = 115;
/** Stale file handle (116). */
export const ESTALE = 116;
/** Structure needs cleaning (117). */
export const EUCLEAN = 117;
/** Not a XENIX named type file (118). */
export const ENOTNAM = 118;
/** No XENIX semaphores available (119). */
export const ENAVAIL = 119;
/** Is a named type file (120). */
export const EISNAM = 120;
/** Remote I/O error (121). */
export const EREMOTEIO = 121;
/** Disk quota exceeded (122). */
export const EDQUOT = 122;
/** No medium found (123). */
export const ENOMEDIUM = 123;
/** Wrong medium type (124). */
export const EMEDIUMTYPE = 124;
/** Operation canceled (125). */
export const ECANCELED = 125;
/** Required key not available (126). */
export const ENOKEY = 126;
/** Key has expired (127). */
export const EKEYEXPIRED = 127;
/** Key has been revoked (128). */
export const EKEYREVOKED = 128;
/** Key was rejected by service (129). */
export const EKEYREJECTED = 129;
/** Owner died (130). */
export const EOWNERDEAD = 130;
/** State not recoverable (131). */
export const ENOTRECOVERABLE = 131;
/** Operation not possible due to RF-kill (132). */
export const ERFKILL = 132;
/** Memory page has hardware error (133). */
export const EHWPOISON = 133;
/** Restart the system call if a signal interrupted it (512). */
export const ERESTARTSYS = 512;
/** Restart the system call unconditionally (513). */
export const ERESTARTNOINTR = 513;
/** Restart the system call if no signal handler ran (514). */
export const ERESTARTNOHAND = 514;
/** No ioctl command (515). */
export const ENOIOCTLCMD = 515;
/** Restart the system call through sys_restart_syscall (516). */
export const ERESTART_RESTARTBLOCK = 516;
/** Illegal NFS file handle (521). */
export const EBADHANDLE = 521;
/** Update synchronization mismatch (522). */
export const ENOTSYNC = 522;
/** Cookie is stale (523). */
export const EBADCOOKIE = 523;
/** Operation is not supported (524). */
export const ENOTSUPP = 524;
/** Buffer or request is too small (525). */
export const ETOOSMALL = 525;
/** An untranslatable error occurred (526). */
export const ESERVERFAULT = 526;
/** Type not supported by server (527). */
export const EBADTYPE = 527;
/** Request initiated, but will not complete before timeout (528). */
export const EJUKEBOX = 528;
/** iocb queued, will get completion event (529). */
export const EIOCBQUEUED = 529;
/** Alias of {@linkcode EAGAIN}: operation would block (11). */
export const EWOULDBLOCK: number = EAGAIN;
/** Alias of {@linkcode EDEADLK}: resource deadlock avoided (35). */
export const EDEADLOCK: number = EDEADLK;

/** Every errno: value, name, message. */
const ERRNO_TABLE: ReadonlyArray<readonly [number, string, string]> = [
  [EPERM, "EPERM", "Operation not permitted"],
  [ENOENT, "ENOENT", "No such file or directory"],
  [ESRCH, "ESRCH", "No such process"],
  [EINTR, "EINTR", "Interrupted system call"],
  [EIO, "EIO", "Input/output error"],
  [ENXIO, "ENXIO", "No such device or address"],
  [E2BIG, "E2BIG", "Argument list too long"],
  [ENOEXEC, "ENOEXEC", "Exec format error"],
  [EBADF, "EBADF", "Bad file descriptor"],
  [ECHILD, "ECHILD", "No child processes"],
  [EAGAIN, "EAGAIN", "Resource temporarily unavailable"],
  [ENOMEM, "ENOMEM", "Cannot allocate memory"],
  [EACCES, "EACCES", "Permission denied"],
  [EFAULT, "EFAULT", "Bad address"],
  [ENOTBLK, "ENOTBLK", "Block device required"],
  [EBUSY, "EBUSY", "Device or resource busy"],
  [EEXIST, "EEXIST", "File exists"],
  [EXDEV, "EXDEV", "Invalid cross-device link"],
  [ENODEV, "ENODEV", "No such device"],
  [ENOTDIR, "ENOTDIR", "Not a directory"],
  [EISDIR, "EISDIR", "Is a directory"],
  [EINVAL, "EINVAL", "Invalid argument"],
  [ENFILE, "ENFILE", "Too many open files in system"],
  [EMFILE, "EMFILE", "Too many open files"],
  [ENOTTY, "ENOTTY", "Inappropriate ioctl for device"],
  [ETXTBSY, "ETXTBSY", "Text file busy"],
  [EFBIG, "EFBIG", "File too large"],
  [ENOSPC, "ENOSPC", "No space left on device"],
  [ESPIPE, "ESPIPE", "Illegal seek"],
  [EROFS, "EROFS", "Read-only file system"],
  [EMLINK, "EMLINK", "Too many links"],
  [EPIPE, "EPIPE", "Broken pipe"],
  [EDOM, "EDOM", "Numerical argument out of domain"],
  [ERANGE, "ERANGE", "Numerical result out of range"],
  [EDEADLK, "EDEADLK", "Resource deadlock avoided"],
  [ENAMETOOLONG, "ENAMETOOLONG", "File name too long"],
  [ENOLCK, "ENOLCK", "No locks available"],
  [ENOSYS, "ENOSYS", "Function not implemented"],
  [ENOTEMPTY, "ENOTEMPTY", "Directory not empty"],
  [ELOOP, "ELOOP", "Too many levels of symbolic links"],
  [ENOMSG, "ENOMSG", "No message of desired type"],
  [EIDRM, "EIDRM", "Identifier removed"],
  [ECHRNG, "ECHRNG", "Channel number out of range"],
  [EL2NSYNC, "EL2NSYNC", "Level 2 not synchronized"],
  [EL3HLT, "EL3HLT", "Level 3 halted"],
  [EL3RST, "EL3RST", "Level 3 reset"],
  [ELNRNG, "ELNRNG", "Link number out of range"],
  [EUNATCH, "EUNATCH", "Protocol driver not attached"],
  [ENOCSI, "ENOCSI", "No CSI structure available"],
  [EL2HLT, "EL2HLT", "Level 2 halted"],
  [EBADE, "EBADE", "Invalid exchange"],
  [EBADR, "EBADR", "Invalid request descriptor"],
  [EXFULL, "EXFULL", "Exchange full"],
  [ENOANO, "ENOANO", "No anode"],
  [EBADRQC, "EBADRQC", "Invalid request code"],
  [EBADSLT, "EBADSLT", "Invalid slot"],
  [EBFONT, "EBFONT", "Bad font file format"],
  [ENOSTR, "ENOSTR", "Device not a stream"],
  [ENODATA, "ENODATA", "No data available"],
  [ETIME, "ETIME", "Timer expired"],
  [ENOSR, "ENOSR", "Out of streams resources"],
  [ENONET, "ENONET", "Machine is not on the network"],
  [ENOPKG, "ENOPKG", "Package not installed"],
  [EREMOTE, "EREMOTE", "Object is remote"],
  [ENOLINK, "ENOLINK", "Link has been severed"],
  [EADV, "EADV", "Advertise error"],
  [ESRMNT, "ESRMNT", "Srmount error"],
  [ECOMM, "ECOMM", "Communication error on send"],
  [EPROTO, "EPROTO", "Protocol error"],
  [EMULTIHOP, "EMULTIHOP", "Multihop attempted"],
  [EDOTDOT, "EDOTDOT", "RFS specific error"],
  [EBADMSG, "EBADMSG", "Bad message"],
  [EOVERFLOW, "EOVERFLOW", "Value too large for defined data type"],
  [ENOTUNIQ, "ENOTUNIQ", "Name not unique on network"],
  [EBADFD, "EBADFD", "File descriptor in bad state"],
  [EREMCHG, "EREMCHG", "Remote address changed"],
  [ELIBACC, "ELIBACC", "Can not access a needed shared library"],
  [ELIBBAD, "ELIBBAD", "Accessing a corrupted shared library"],
  [ELIBSCN, "ELIBSCN", ".lib section in a.out corrupted"],
  [ELIBMAX, "ELIBMAX", "Attempting to link in too many shared libraries"],
  [ELIBEXEC, "ELIBEXEC", "Cannot exec a shared library directly"],
  [EILSEQ, "EILSEQ", "Invalid or incomplete multibyte or wide character"],
  [ERESTART, "ERESTART", "Interrupted system call should be restarted"],
  [ESTRPIPE, "ESTRPIPE", "Streams pipe error"],
  [EUSERS, "EUSERS", "Too many users"],
  [ENOTSOCK, "ENOTSOCK", "Socket operation on non-socket"],
  [EDESTADDRREQ, "EDESTADDRREQ", "Destination address required"],
  [EMSGSIZE, "EMSGSIZE", "Message too long"],
  [EPROTOTYPE, "EPROTOTYPE", "Protocol wrong type for socket"],
  [ENOPROTOOPT, "ENOPROTOOPT", "Protocol not available"],
  [EPROTONOSUPPORT, "EPROTONOSUPPORT", "Protocol not supported"],
  [ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT", "Socket type not supported"],
  [EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported"],
  [EPFNOSUPPORT, "EPFNOSUPPORT", "Protocol family not supported"],
  [EAFNOSUPPORT, "EAFNOSUPPORT", "Address family not supported by protocol"],
  [EADDRINUSE, "EADDRINUSE", "Address already in use"],
  [EADDRNOTAVAIL, "EADDRNOTAVAIL", "Cannot assign requested address"],
  [ENETDOWN, "ENETDOWN", "Network is down"],
  [ENETUNREACH, "ENETUNREACH", "Network is unreachable"],
  [ENETRESET, "ENETRESET", "Network dropped connection on reset"],
  [ECONNABORTED, "ECONNABORTED", "Software caused connection abort"],
  [ECONNRESET, "ECONNRESET", "Connection reset by peer"],
  [ENOBUFS, "ENOBUFS", "No buffer space available"],
  [EISCONN, "EISCONN", "Transport endpoint is already connected"],
  [ENOTCONN, "ENOTCONN", "Transport endpoint is not connected"],
  [ESHUTDOWN, "ESHUTDOWN", "Cannot send after transport endpoint shutdown"],
  [ETOOMANYREFS, "ETOOMANYREFS", "Too many references: cannot splice"],
  [ETIMEDOUT, "ETIMEDOUT", "Connection timed out"],
  [ECONNREFUSED, "ECONNREFUSED", "Connection refused"],
  [EHOSTDOWN, "EHOSTDOWN", "Host is down"],
  [EHOSTUNREACH, "EHOSTUNREACH", "No route to host"],
  [EALREADY, "EALREADY", "Operation already in progress"],
  [EINPROGRESS, "EINPROGRESS", "Operation now in progress"],
  [ESTALE, "ESTALE", "Stale file handle"],
  [EUCLEAN, "EUCLEAN", "Structure needs cleaning"],
  [ENOTNAM, "ENOTNAM", "Not a XENIX named type file"],
  [ENAVAIL, "ENAVAIL", "No XENIX semaphores available"],
  [EISNAM, "EISNAM", "Is a named type file"],
  [EREMOTEIO, "EREMOTEIO", "Remote I/O error"],
  [EDQUOT, "EDQUOT", "Disk quota exceeded"],
  [ENOMEDIUM, "ENOMEDIUM", "No medium found"],
  [EMEDIUMTYPE, "EMEDIUMTYPE", "Wrong medium type"],
  [ECANCELED, "ECANCELED", "Operation canceled"],
  [ENOKEY, "ENOKEY", "Required key not available"],
  [EKEYEXPIRED, "EKEYEXPIRED", "Key has expired"],
  [EKEYREVOKED, "EKEYREVOKED", "Key has been revoked"],
  [EKEYREJECTED, "EKEYREJECTED", "Key was rejected by service"],
  [EOWNERDEAD, "EOWNERDEAD", "Owner died"],
  [ENOTRECOVERABLE, "ENOTRECOVERABLE", "State not recoverable"],
  [ERFKILL, "ERFKILL", "Operation not possible due to RF-kill"],
  [EHWPOISON, "EHWPOISON", "Memory page has hardware error"],
  [ERESTARTSYS, "ERESTARTSYS", "Restart the system call if a signal interrupted it"],
  [ERESTARTNOINTR, "ERESTARTNOINTR", "Restart the system call unconditionally"],
  [ERESTARTNOHAND, "ERESTARTNOHAND", "Restart the system call if no signal handler ran"],
  [ENOIOCTLCMD, "ENOIOCTLCMD", "No ioctl command"],
  [
    ERESTART_RESTARTBLOCK,
    "ERESTART_RESTARTBLOCK",
    "Restart the system call through sys_restart_syscall",
  ],
  [EBADHANDLE, "EBADHANDLE", "Illegal NFS file handle"],
  [ENOTSYNC, "ENOTSYNC", "Update synchronization mismatch"],
  [EBADCOOKIE, "EBADCOOKIE", "Cookie is stale"],
  [ENOTSUPP, "ENOTSUPP", "Operation is not supported"],
  [ETOOSMALL, "ETOOSMALL", "Buffer or request is too small"],
  [ESERVERFAULT, "ESERVERFAULT", "An untranslatable error occurred"],
  [EBADTYPE, "EBADTYPE", "Type not supported by server"],
  [EJUKEBOX, "EJUKEBOX", "Request initiated, but will not complete before timeout"],
  [EIOCBQUEUED, "EIOCBQUEUED", "iocb queued, will get completion event"],
];

/** The table keyed by value. Frozen: the module holds no mutable state. */
const BY_VALUE: Readonly<Record<number, readonly [number, string, string]>> = Object.freeze(
  Object.fromEntries(ERRNO_TABLE.map((row) => [row[0], row])),
);

/**
 * Returns the symbolic name of an errno value. Kernel-ABI calls return
 * negative errno values, so the sign is ignored: `-22` and `22` are both
 * `"EINVAL"`. A value that is not a Linux errno (0 included) comes back as
 * `E` followed by its absolute value, e.g. `"E600"`, so messages still show
 * the number.
 *
 * @param errno An errno value, negative or positive.
 * @returns The name, such as `"EINVAL"`, or `"E<n>"` when unknown.
 *
 * @example Name errno values
 * ```ts
 * import { errnoName } from "./errno.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(errnoName(-22), "EINVAL");
 * assert.equal(errnoName(17), "EEXIST");
 * assert.equal(errnoName(-600), "E600");
 * ```
 */
export function errnoName(errno: number): string {
  const value = Math.abs(errno);
  const row = BY_VALUE[value];
  return row === undefined ? `E${value}` : row[1];
}

/**
 * Returns the C library's message for an errno value (what `strerror()`
 * prints); the sign is ignored. Kernel-internal values (512 and up) get a
 * short description from `include/linux/errno.h`. Unknown values give
 * `"Unknown error <n>"`, as glibc does.
 *
 * @param errno An errno value, negative or positive.
 * @returns The message, such as `"Invalid argument"`.
 *
 * @example Print a failure the way perror() would
 * ```ts
 * import { errnoMessage, ENOENT } from "./errno.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(`open: ${errnoMessage(-ENOENT)}`, "open: No such file or directory");
 * assert.equal(errnoMessage(600), "Unknown error 600");
 * ```
 */
export function errnoMessage(errno: number): string {
  const value = Math.abs(errno);
  const row = BY_VALUE[value];
  return row === undefined ? `Unknown error ${value}` : row[2];
}
