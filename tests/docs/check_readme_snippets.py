#!/usr/bin/env python3
"""The README's C++ snippets introduced with "From `examples/<file>`" are the example's code:
every line of the snippet appears in that file, in order (indentation aside). Catches a README
that drifts from the compiled example. Usage: check_readme_snippets.py REPO_ROOT"""
import re
import sys

root = sys.argv[1]
readme = open(f"{root}/README.md", encoding="utf-8").read()
snippets = re.findall(r"From `(examples/[^`]+)`[^\n]*\n\n```cpp\n(.*?)```", readme, re.S)
if not snippets:
    sys.exit("no README snippet points at an example")
failed = False
for path, code in snippets:
    source = [l.strip() for l in open(f"{root}/{path}", encoding="utf-8")]
    at = 0
    for line in (l.strip() for l in code.splitlines()):
        if not line:
            continue
        try:
            at = source.index(line, at) + 1
        except ValueError:
            print(f"README snippet from {path}: not in the file (in this order): {line}")
            failed = True
            break
    else:
        print(f"ok: README snippet matches {path}")
sys.exit(1 if failed else 0)
