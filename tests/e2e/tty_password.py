# SPDX-License-Identifier: MIT
"""Runs `oauthctl ARGS...` on a pseudo-terminal, waits for the password prompt, checks that
echo is off while it waits, then answers (`answer PASSWORD`) or presses Ctrl-C (`ctrl-c`),
and checks that the terminal's echo is back afterwards. Prints what it saw; exits 1 on any
mismatch. Usage: tty_password.py answer|ctrl-c [PASSWORD] -- OAUTHCTL ARGS..."""
import os
import pty
import select
import sys
import termios
import time

split = sys.argv.index("--")
mode, rest, command = sys.argv[1], sys.argv[2:split], sys.argv[split + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(command[0], command)

seen = b""


def read_until(marker, timeout=15.0):
    global seen
    end = time.time() + timeout
    while marker not in seen and time.time() < end:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return marker in seen


def echo_on():
    return bool(termios.tcgetattr(fd)[3] & termios.ECHO)


problems = []
if not read_until(b"Password for "):
    problems.append("no prompt")
elif echo_on():
    problems.append("echo is on while the password is asked for")
if mode == "answer":
    os.write(fd, rest[0].encode() + b"\n")
else:
    os.write(fd, b"\x03")
read_until(b"\0", timeout=10)
_, status = os.waitpid(pid, 0)
if not echo_on():
    problems.append("echo is still off after the prompt")
if mode == "answer":
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        problems.append(f"exit status {status}")
    typed = seen.split(b"Password for ", 1)[-1].split(b": ", 1)[-1].split(b"\n", 1)[0]
    if rest[0].encode() in typed:
        problems.append("the password was echoed")
    print(seen.decode(errors="replace").split("\n")[-2].strip())  # the token line
else:
    if not os.WIFSIGNALED(status) or os.WTERMSIG(status) != 2:
        problems.append(f"Ctrl-C did not end it by SIGINT (status {status})")
for problem in problems:
    print("PROBLEM:", problem, repr(seen[-300:]), file=sys.stderr)
sys.exit(1 if problems else 0)
