# SPDX-License-Identifier: MIT
# Lists what docs/security.md cites as tests that a reader could not run: a unit test case,
# e2e function or browser test it names that does not exist (U name, E suite / `fn`, B file /
# `test name`), and every doctest case name with a ';', which ctest splits into names that
# match nothing (the case then silently never runs under ctest). Prints one problem a line;
# exits 1 when there is any. Usage: cited_tests.py REPO_ROOT
import glob, os, re, sys

root = sys.argv[1]
doc = open(os.path.join(root, "docs/security.md"), encoding="utf-8").read()

units = set()
for path in glob.glob(os.path.join(root, "tests/unit/*.[ch]pp")):
    text = open(path, encoding="utf-8").read()
    for match in re.finditer(r'TEST_CASE\(\s*"((?:[^"\\]|\\.)*)"', text):
        units.add(match.group(1).replace('\\"', '"'))

problems = [f"unit test case name with ';' (ctest cannot run it): {name}" for name in sorted(units) if ";" in name]
rows = 0
for line in doc.splitlines():
    if not line.startswith("| ") or line.startswith("| rule "):
        continue
    rows += 1
    cell = line.rstrip().rstrip("|").rsplit(" | ", 1)[-1].strip()
    # Citations are separated by "; " before the next U, E or B.
    for cite in re.split(r"; (?=[UEB] )", cell):
        cite = cite.strip()
        if cite.startswith("U "):
            name = cite[2:].strip()
            if name.startswith("`") and name.endswith("`"):
                name = name[1:-1]
            name = name.replace("\\`", "`")
            if name not in units:
                problems.append(f"no unit test case named: {name}")
        elif cite.startswith(("E ", "B ")):
            match = re.match(r"([EB]) (\w+) / (.*)", cite)
            if not match:
                problems.append(f"cannot read the citation: {cite}")
                continue
            kind, file, names = match.groups()
            path = f"tests/e2e/suites/{file}.bash" if kind == "E" else f"tests/browser/{file}.test.mjs"
            try:
                text = open(os.path.join(root, path), encoding="utf-8").read()
            except OSError:
                problems.append(f"no such file {path} (cited as {cite})")
                continue
            for name in re.findall(r"`([^`]+)`", names):
                found = (re.search(r"^" + re.escape(name) + r"\s*\(\)", text, re.M) if kind == "E" else
                         re.search(r"test\(\s*['\"`]" + re.escape(name), text) or
                         re.search(r"test\(\s*'" + re.escape(name.replace("'", "\\'")), text))
                if not found:
                    problems.append(f"no test {name!r} in {path}")
        elif cite and not cite.startswith("—"):
            problems.append(f"not a test citation (U, E or B): {cite}")
if rows < 20:
    problems.append(f"only {rows} table rows read from docs/security.md: has the table's form changed?")
for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
