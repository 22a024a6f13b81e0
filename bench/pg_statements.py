#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Counts what PostgreSQL ran, from its log with log_statement = all (bench/store.sh):
# statements, transactions (a BEGIN..COMMIT block, or one statement on its own) and the
# transactions among them that wrote (INSERT, UPDATE, DELETE, pg_notify), for the bytes
# [START, END) of LOG. pg_stat_database's counters are flushed by each backend up to a
# second late (PostgreSQL 15), so around a short run they count part of the run before;
# the log is exact.
#   pg_statements.py LOG START END                     prints "SECONDS STATEMENTS TRANSACTIONS WRITES"
#   pg_statements.py LOG START END FLOWS SECONDS IDLE   per flow, minus IDLE (the first form's
#                                                      output over an idle window) scaled to SECONDS
import re
import sys

LINE = re.compile(r"^(\S+ \S+) \S+ \[(\d+)\] LOG:  (?:execute [^:]*|statement): (.*)$")
WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE|pg_notify)\b", re.IGNORECASE)


def count(path, start, end):
    with open(path, "rb") as log:
        log.seek(start)
        text = log.read(end - start).decode("utf-8", "replace")
    open_blocks = {}  # pid -> whether the open block wrote
    statements = transactions = writes = 0
    for line in text.splitlines():
        match = LINE.match(line)
        if not match:
            continue
        pid, sql = match.group(2), match.group(3).strip()
        word = sql.split(None, 1)[0].upper() if sql else ""
        if word in ("BEGIN", "START"):
            open_blocks[pid] = False
            continue
        if word in ("COMMIT", "ROLLBACK", "END"):
            wrote = open_blocks.pop(pid, False)
            transactions += 1
            writes += 1 if wrote else 0
            continue
        statements += 1
        wrote = bool(WRITE.search(sql))
        if pid in open_blocks:
            open_blocks[pid] = open_blocks[pid] or wrote
        else:
            transactions += 1
            writes += 1 if wrote else 0
    return statements, transactions, writes


def main():
    args = sys.argv[1:]
    path, start, end = args[0], int(args[1]), int(args[2])
    statements, transactions, writes = count(path, start, end)
    if len(args) == 3:
        print(statements, transactions, writes)
        return
    flows, seconds = int(args[3]), float(args[4])
    idle = [float(x) for x in args[5].split()]  # per second: statements, transactions, writes
    values = [statements, transactions, writes]
    per_flow = [max(0.0, (v - idle[i] * seconds) / flows) for i, v in enumerate(values)]
    print(" ".join(f"{v:.1f}" for v in per_flow))


if __name__ == "__main__":
    main()
