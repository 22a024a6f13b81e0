# SPDX-License-Identifier: MIT
"""Runs COMMAND ARGS... with its stdout (and stdin, stderr) on a pseudo-terminal, as a person
at a terminal would, and copies what it printed to our stdout, byte for byte except the
terminal's CR LF line ends, which become LF. Exits with the command's exit code.
Usage: tty_run.py COMMAND ARGS..."""
import os
import pty
import select
import sys

command = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

seen = b""
while True:
    ready, _, _ = select.select([fd], [], [], 30)
    if not ready:
        break  # the command hangs: report what it printed
    try:
        chunk = os.read(fd, 65536)
    except OSError:  # EIO: the command exited and closed the terminal
        break
    if not chunk:
        break
    seen += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(seen.replace(b"\r\n", b"\n"))
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
