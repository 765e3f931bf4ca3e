"""no_userns.py COMMAND...: run COMMAND as root of a fresh, identity-mapped user namespace in
which the kernel refuses any further user namespace (`user.max_user_namespaces` is 0 there;
the sysctl is per namespace, so the host is not touched). Needs root. Used by the isolation
tests to make the turn sandbox really fail, the way it does on a kernel that forbids it."""
import ctypes, os, sys
CLONE_NEWUSER = 0x10000000
libc = ctypes.CDLL(None, use_errno=True)
r1, w1 = os.pipe(); r2, w2 = os.pipe()
pid = os.fork()
if pid == 0:
    if libc.unshare(CLONE_NEWUSER) != 0:
        os._exit(90)
    os.write(w1, b"u"); os.read(r2, 1)
    with open("/proc/sys/user/max_user_namespaces", "w") as f:
        f.write("0")
    os.execvp(sys.argv[1], sys.argv[1:])
os.read(r1, 1)
for m in ("uid_map", "gid_map"):
    with open(f"/proc/{pid}/{m}", "w") as f:
        f.write("0 0 4294967295")
os.write(w2, b"g")
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
