"""Runs a command on a real pseudo-terminal, for the interactive tests.

    python3 pty-driver.py <columns> <rows> <close-stdin 0|1> -- <command> [args...]

The command's terminal output is copied to this process's stdout as raw bytes; bytes written to this
process's stdin are typed into the terminal as keystrokes. With close-stdin=1 the command starts with
its stdin closed (its stdout and stderr are still the terminal). Exits with the command's exit code,
or 128 + the signal number when a signal ended it. Standard library only (pty, select, termios).
"""
import fcntl
import os
import pty
import select
import struct
import sys
import termios


def main() -> int:
    columns, rows, close_stdin = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
    if sys.argv[4] != "--":
        print("usage: pty-driver.py <columns> <rows> <0|1> -- <command> [args...]", file=sys.stderr)
        return 2
    command = sys.argv[5:]
    pid, master = pty.fork()
    if pid == 0:
        # The child: fd 0, 1 and 2 are the terminal. Size it before the program looks.
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        if close_stdin:
            os.close(0)
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)

    stdin = sys.stdin.buffer.raw
    stdout = sys.stdout.buffer.raw
    watch = [master, stdin]
    while True:
        try:
            ready, _, _ = select.select(watch, [], [])
        except InterruptedError:
            continue
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the terminal closed, the program ended
                data = b""
            if not data:
                break
            view = memoryview(data)
            while view:
                written = stdout.write(view)
                view = view[written:]
        if stdin in ready:
            keys = os.read(stdin.fileno(), 4096)
            if not keys:
                watch.remove(stdin)  # the test is done typing; keep reading output
            else:
                os.write(master, keys)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main())
