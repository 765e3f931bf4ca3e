#define _GNU_SOURCE
#include "CCPLinux.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

ssize_t ccp_send_with_fd(int sock, const void *buf, size_t len, int fd) {
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
    union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int))]; } control;
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (fd >= 0) {
        memset(&control, 0, sizeof(control));
        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof(control.buf);
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    }
    ssize_t n;
    do {
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
}

ssize_t ccp_recv_with_fd(int sock, void *buf, size_t cap, int flags, int *fd_out, int *truncated_out) {
    struct iovec iov = { .iov_base = buf, .iov_len = cap };
    union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int) * 8)]; } control;
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    memset(&control, 0, sizeof(control));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof(control.buf);
    *fd_out = -1;
    *truncated_out = 0;
    ssize_t n;
    do {
        n = recvmsg(sock, &msg, flags | MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return n;
    if (msg.msg_flags & MSG_TRUNC) *truncated_out = 1;
    else if (msg.msg_flags & MSG_CTRUNC) *truncated_out = 2; /* payload intact, a descriptor dropped */
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (*fd_out < 0) {
                *fd_out = fd;
            } else {
                close(fd); /* more fds than any message declares: never leak them */
                *truncated_out = 1;
            }
        }
    }
    return n;
}

/* Child side of ccp_spawn: only async-signal-safe calls from here to execve. */
static void ccp_child(const ccp_spawn_spec *spec, int err_fd, pid_t parent) {
    sigset_t empty;
    sigemptyset(&empty);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = SIG_DFL;
        (void)sigaction(sig, &sa, NULL);
    }
    if (spec->new_process_group && setpgid(0, 0) != 0) goto fail;
    if (spec->parent_death_signal > 0) {
        if (prctl(PR_SET_PDEATHSIG, spec->parent_death_signal) != 0) goto fail;
        /* The parent may have died before prctl took effect. */
        if (getppid() != parent) _exit(127);
    }
    /* Targets are small numbers below `high`. Park the error pipe and a copy of every
     * source at or above `high` first, so that no dup2 can clobber a source that is also
     * another pair's target. */
    int high = 3;
    for (int i = 0; i < spec->fd_map_count; i++) {
        if (spec->fd_map[2 * i + 1] >= high) high = spec->fd_map[2 * i + 1] + 1;
    }
    if (spec->fd_map_count > 64) { errno = EINVAL; goto fail; }
    int parked_err = fcntl(err_fd, F_DUPFD_CLOEXEC, high);
    if (parked_err < 0) goto fail;
    err_fd = parked_err;
    int temp[64];
    for (int i = 0; i < spec->fd_map_count; i++) {
        temp[i] = fcntl(spec->fd_map[2 * i], F_DUPFD, high);
        if (temp[i] < 0) goto fail;
    }
    for (int i = 0; i < spec->fd_map_count; i++) {
        if (dup2(temp[i], spec->fd_map[2 * i + 1]) < 0) goto fail;
    }
    for (int fd = 0; fd < high; fd++) {
        int keep = 0;
        for (int i = 0; i < spec->fd_map_count; i++) {
            if (spec->fd_map[2 * i + 1] == fd) { keep = 1; break; }
        }
        if (!keep) (void)close(fd);
    }
    /* Everything at or above `high` (temporaries, the error pipe, inherited strays) closes
     * at exec; the error pipe stays usable until then. */
    if (syscall(SYS_close_range, (unsigned)high, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) != 0) {
        for (int fd = high; fd < 4096; fd++) {
            if (fd != err_fd) (void)close(fd);
        }
    }
    if (spec->cwd != NULL && chdir(spec->cwd) != 0) goto fail;
    (void)sigprocmask(SIG_SETMASK, &empty, NULL);
    execve(spec->path, spec->argv, spec->envp);
fail:
    {
        int e = errno;
        ssize_t ignored = write(err_fd, &e, sizeof(e));
        (void)ignored;
        _exit(127);
    }
}

pid_t ccp_spawn(const ccp_spawn_spec *spec) {
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) return -1;
    pid_t parent = getpid();
    /* Block every signal across fork, so that no handler of ours runs in the child before
     * the child has reset the dispositions (it would write into our signal pipe). */
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        pthread_sigmask(SIG_SETMASK, &previous, NULL);
        close(pipefd[0]);
        close(pipefd[1]);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        close(pipefd[0]);
        ccp_child(spec, pipefd[1], parent);
        _exit(127);
    }
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(pipefd[1]);
    int child_errno = 0;
    ssize_t n;
    do {
        n = read(pipefd[0], &child_errno, sizeof(child_errno));
    } while (n < 0 && errno == EINTR);
    close(pipefd[0]);
    if (n == (ssize_t)sizeof(child_errno)) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        errno = child_errno;
        return -1;
    }
    return pid;
}

int ccp_accept4(int fd, int flags) {
    int r;
    do {
        r = accept4(fd, NULL, NULL, flags);
    } while (r < 0 && errno == EINTR);
    return r;
}

int ccp_memfd_create(const char *name) {
    return (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
}

int ccp_memfd_seal(int fd) {
    return fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
}

int ccp_set_parent_death_signal(int sig) { return prctl(PR_SET_PDEATHSIG, sig); }

int ccp_set_process_name(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }

int ccp_wifexited(int status) { return WIFEXITED(status); }
int ccp_wexitstatus(int status) { return WEXITSTATUS(status); }
int ccp_wifsignaled(int status) { return WIFSIGNALED(status); }
int ccp_wtermsig(int status) { return WTERMSIG(status); }
int ccp_wcoredump(int status) { return WCOREDUMP(status); }

static int ccp_signal_pipe_fd = -1;

static void ccp_signal_to_pipe(int sig) {
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    ssize_t ignored = write(ccp_signal_pipe_fd, &b, 1);
    (void)ignored;
    errno = saved;
}

int ccp_install_signal_pipe(int pipe_fd, const int *signals, int count) {
    if (count > 64) { errno = EINVAL; return -1; }
    struct sigaction old[64];
    int previous_fd = ccp_signal_pipe_fd;
    ccp_signal_pipe_fd = pipe_fd;
    for (int i = 0; i < count; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = ccp_signal_to_pipe;
        sa.sa_flags = SA_RESTART;
        sigemptyset(&sa.sa_mask);
        if (sigaction(signals[i], &sa, &old[i]) != 0) {
            int e = errno;
            for (int j = 0; j < i; j++) (void)sigaction(signals[j], &old[j], NULL);
            ccp_signal_pipe_fd = previous_fd;
            errno = e;
            return -1;
        }
    }
    return 0;
}

int ccp_ignore_signal(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    return sigaction(sig, &sa, NULL);
}

int ccp_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }

long ccp_peer_uid(int fd) {
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -1;
    return (long)cred.uid;
}

#include <sys/mount.h>

int ccp_detach_mount(const char *path) {
    return umount2(path, MNT_DETACH);
}

int ccp_keep_only_capabilities(const int *keep, int count, int *bounded) {
    *bounded = 1;
    for (int cap = 0; cap < 64; cap++) {
        int kept = 0;
        for (int i = 0; i < count; i++) {
            if (keep[i] == cap) kept = 1;
        }
        if (kept) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
            if (errno == EINVAL) break;  /* past the kernel's last capability */
            *bounded = 0;                /* EPERM: no CAP_SETPCAP; the rest still applies */
        }
    }
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &header, data) != 0) return -1;
    uint32_t mask[2] = {0, 0};
    for (int i = 0; i < count; i++) {
        if (keep[i] < 0 || keep[i] >= 64) continue;
        mask[keep[i] / 32] |= 1u << (keep[i] % 32);
    }
    for (int i = 0; i < 2; i++) {
        /* Only what it has and keeps: capset refuses to add. */
        data[i].permitted &= mask[i];
        data[i].effective = data[i].permitted;
        data[i].inheritable = 0;
    }
    return (int)syscall(SYS_capset, &header, data);
}
