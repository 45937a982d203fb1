#!/usr/bin/env python3
"""Checks that src/ areas include only the layers below them (no include cycles between areas).

The order comes from src/CMakeLists.txt: EVENTDEST_LAYERS lowest first, then the destination type
folders (EVENTDEST_DESTINATION_TYPES), which may include any layer but never each other.
Usage: check_layers.py <repository root>
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
cmake = (root / "src" / "CMakeLists.txt").read_text()


def cmake_list(name):
    match = re.search(r"set\(" + name + r"\s+([^)]*)\)", cmake)
    if not match:
        sys.exit(f"src/CMakeLists.txt does not set {name}")
    return match.group(1).split()


layers = cmake_list("EVENTDEST_LAYERS")
types = cmake_list("EVENTDEST_DESTINATION_TYPES")
include = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/', re.M)
problems = []
for path in sorted((root / "src").rglob("*.[ch]pp")):
    area = path.relative_to(root / "src").parts[0]
    if area not in layers and area not in types:
        if path.parent != root / "src":
            problems.append(f"{path.relative_to(root)}: folder {area} is in neither list")
        continue
    for target in include.findall(path.read_text()):
        if target in ("eventdest", area):
            continue
        if target in types:
            problems.append(f"{path.relative_to(root)}: includes destination type {target}/")
        elif target not in layers:
            problems.append(f"{path.relative_to(root)}: includes unknown area {target}/")
        elif area in layers and layers.index(target) > layers.index(area):
            problems.append(
                f"{path.relative_to(root)}: layer {area} includes {target}/, a layer above it")
for p in problems:
    print(p)
print(f"{len(problems)} layering problem(s) in src/ (layers: {' < '.join(layers)}; types: {', '.join(types)})")
sys.exit(1 if problems else 0)
