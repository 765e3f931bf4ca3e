/*
 * CCPLinux: the few Linux facilities Swift cannot call directly.
 *
 * - sendmsg/recvmsg with SCM_RIGHTS (the CMSG_* macros are function-like macros);
 * - fork-to-exec with per-child setup (process group, parent-death signal, fd map, cwd)
 *   done in C between fork and exec, where only async-signal-safe calls are allowed;
 * - accept4, memfd_create and prctl wrappers (not exported by the Glibc overlay).
 *
 * Every function returns -1 and leaves errno set on failure, like the calls it wraps.
 */
#pragma once
#include <stddef.h>
#include <sys/types.h>

/* Sends `len` bytes of `buf` as one message on `sock`, with `fd` attached via SCM_RIGHTS
 * when fd >= 0. Corresponds to sendmsg(2). Retries EINTR. Returns bytes sent or -1. */
ssize_t ccp_send_with_fd(int sock, const void *buf, size_t len, int fd);

/* Receives one message into `buf` (capacity `cap`). At most one SCM_RIGHTS fd is accepted:
 * it is stored in *fd_out (else -1); any extra fds are closed. Received fds are CLOEXEC.
 * *truncated_out is set to 1 if the payload was truncated (MSG_TRUNC) or more than one fd
 * came, in which case the message must be treated as a protocol error; to 2 if only the
 * control data was (MSG_CTRUNC: the payload is intact but a descriptor was dropped, e.g.
 * because the receiver is out of descriptors).
 * Corresponds to recvmsg(2). Retries EINTR. Returns bytes received (0 = peer closed) or -1. */
ssize_t ccp_recv_with_fd(int sock, void *buf, size_t cap, int flags, int *fd_out, int *truncated_out);

/* What a spawned child should look like. */
typedef struct ccp_spawn_spec {
    const char *path;           /* executable: a path (the caller resolves names on PATH) */
    char *const *argv;          /* NULL-terminated */
    char *const *envp;          /* NULL-terminated */
    const char *cwd;            /* NULL = inherit */
    const int *fd_map;          /* pairs (parent_fd, child_fd), fd_map_count pairs; the child
                                   gets exactly these fds (plus nothing else) */
    int fd_map_count;
    int new_process_group;      /* 1: setpgid(0, 0) in the child */
    int parent_death_signal;    /* 0 = none; else prctl(PR_SET_PDEATHSIG, sig) in the child */
} ccp_spawn_spec;

/* fork(2) + execve(2) per `spec`. Returns the child's pid, or -1 with errno set (including
 * the child's exec errno, reported through a CLOEXEC pipe, so a missing binary fails here
 * rather than as a child exit). The child's signal mask is emptied and dispositions reset. */
pid_t ccp_spawn(const ccp_spawn_spec *spec);

/* accept4(2) with SOCK_CLOEXEC | SOCK_NONBLOCK as requested by `flags`. */
int ccp_accept4(int fd, int flags);

/* memfd_create(2) with MFD_CLOEXEC | MFD_ALLOW_SEALING; then the caller writes and seals. */
int ccp_memfd_create(const char *name);

/* Seals a memfd against any further change (F_SEAL_SEAL|SHRINK|GROW|WRITE). */
int ccp_memfd_seal(int fd);

/* prctl(PR_SET_PDEATHSIG, sig). */
int ccp_set_parent_death_signal(int sig);

/* prctl(PR_SET_NAME, name): the name `ps -o comm` shows (max 15 bytes). */
int ccp_set_process_name(const char *name);

/* Exit status decoding (the W* macros). */
int ccp_wifexited(int status);
int ccp_wexitstatus(int status);
int ccp_wifsignaled(int status);
int ccp_wtermsig(int status);
int ccp_wcoredump(int status);

/* Installs a handler that writes the signal number as one byte to `pipe_fd` (non-blocking)
 * for each of the given signals (self-pipe trick). SA_RESTART is set. */
int ccp_install_signal_pipe(int pipe_fd, const int *signals, int count);

/* Blocks or unblocks a signal for the calling thread. */
int ccp_ignore_signal(int sig);

/* pipe2(2) (not exported by the Glibc overlay without _GNU_SOURCE). */
int ccp_pipe2(int fds[2], int flags);

/* SO_PEERCRED: the uid of the peer of a Unix socket, or -1. */
long ccp_peer_uid(int fd);

/* umount2(path, MNT_DETACH): lazily detaches a (possibly dead) mount at `path`. */
int ccp_detach_mount(const char *path);

/* Keeps only the capabilities in `keep` (`count` of them): drops every other one from the
   bounding set where CAP_SETPCAP allows (so that programs it executes as root get no more),
   then from its own effective, permitted and inheritable sets (capset(2), always allowed
   when reducing). Returns 0, or -1 with errno from capset. Sets *bounded to 1 when the
   bounding set could be reduced, 0 when it could not (no CAP_SETPCAP). */
int ccp_keep_only_capabilities(const int *keep, int count, int *bounded);
