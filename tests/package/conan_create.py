#!/usr/bin/env python3
"""The Conan package tests (ctest label `package`): real Conan 2 runs of the recipe.

  conan_create.py setup  ARGS   a fresh CONAN_HOME (no remotes), Conan's version, the profile
  conan_create.py create ARGS --shared {True,False} --with-kafka {True,False}
        `conan create` of the source tree with tests/package/conan/system.profile (libcurl,
        OpenSSL, RapidJSON, librdkafka as [platform_requires]), Conan itself building and running
        test_package/; then checks test_package's output, the dependency graph (the four libraries
        resolved from the platform) and the package's files (static or shared, kafka or not).

ARGS: --conan PATH --conan-home DIR --source DIR --work DIR [--cxx COMPILER]
[--launcher L[,ARG...]].
The package_conan_setup test makes CONAN_HOME; the create tests share it (the exported recipe is
reused, each option set is built). Without a runnable Conan every mode exits 77, which ctest
reports as skipped (SKIP_RETURN_CODE): scripts/setup.sh installs it (scripts/lib/conan.sh).
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import time

SKIP = 77
SETUP_DONE = ".eventdest-setup-done"
PLATFORM_REQUIREMENTS = ("libcurl", "openssl", "rapidjson", "librdkafka")


def fail(message):
    print(f"FAILED: {message}", flush=True)
    sys.exit(1)


def check(ok, what):
    print(f"{'ok' if ok else 'FAILED'}: {what}", flush=True)
    return ok


def conan_env(args):
    env = dict(os.environ)
    env["CONAN_HOME"] = args.conan_home
    env["NO_COLOR"] = "1"
    # The compiler of the build that registered the tests (the profile's settings detect it).
    if args.cxx:
        env.pop("CC", None)
        env["CXX"] = args.cxx
    # The same compiler launcher (e.g. ccache) when that build has one; CMake reads this variable.
    if args.launcher:
        env["CMAKE_CXX_COMPILER_LAUNCHER"] = args.launcher.replace(",", ";")
    return env


def conan(args, *command, capture=False):
    cmd = [args.conan, *command]
    print("$ " + " ".join(cmd), flush=True)
    if not capture:
        return subprocess.run(cmd, env=conan_env(args))
    # Streamed as it comes (a build that times out still shows how far it got) and kept.
    lines = []
    with subprocess.Popen(cmd, env=conan_env(args), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, bufsize=1) as process:
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            lines.append(line)
    return subprocess.CompletedProcess(cmd, process.returncode, "".join(lines))


def require_conan(args):
    version = None
    if os.access(args.conan, os.X_OK):
        result = subprocess.run([args.conan, "--version"], env=conan_env(args),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode == 0:
            version = result.stdout.strip()
    if not version or not version.startswith("Conan version 2."):
        print("*" * 78)
        print(f"SKIPPED: no runnable Conan 2 at {args.conan} ({version or 'missing'}).")
        print("Install it with `bash scripts/lib/conan.sh` (scripts/setup.sh does) or configure "
              "with -DEVENTDEST_CONAN=/path/to/conan.")
        print("*" * 78, flush=True)
        sys.exit(SKIP)
    print(version, flush=True)


def setup(args):
    shutil.rmtree(args.conan_home, ignore_errors=True)
    os.makedirs(args.conan_home)
    # Everything resolves from the cache and the platform: no remote is ever asked.
    if conan(args, "remote", "remove", "*").returncode != 0:
        fail("conan remote remove")
    if conan(args, "profile", "show", "-pr:a", args.profile).returncode != 0:
        fail(f"the profile {args.profile} does not load")
    with open(os.path.join(args.conan_home, SETUP_DONE), "w", encoding="utf-8"):
        pass


def package_node(graph):
    for node in graph["graph"]["nodes"].values():
        if (node.get("ref") or "").startswith("eventdest/") and node.get("package_folder"):
            return node
    return None


def create(args):
    shared = args.shared == "True"
    with_kafka = args.with_kafka == "True"
    if not os.path.isfile(os.path.join(args.conan_home, SETUP_DONE)):
        setup(args)  # run alone (ctest -FS...): a home of its own
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    # test_package is built in a copy, so the source tree is not written to and the option
    # sets don't share one build folder.
    test_folder = os.path.join(args.work, "test_package")
    shutil.copytree(os.path.join(args.source, "test_package"), test_folder)
    graph_file = os.path.join(args.work, "graph.json")

    start = time.monotonic()
    result = conan(args, "create", args.source, "-pr:a", args.profile, "--no-remote",
                   "-o", f"eventdest/*:shared={args.shared}",
                   "-o", f"eventdest/*:with_kafka={args.with_kafka}",
                   "--test-folder", test_folder, "--format", "json", "--out-file", graph_file,
                   capture=True)
    seconds = time.monotonic() - start
    print(f"conan create (shared={args.shared}, with_kafka={args.with_kafka}) took "
          f"{seconds:.0f} s", flush=True)
    if result.returncode != 0:
        fail(f"conan create exited {result.returncode}")
    log = result.stdout

    ok = check("partition key c-42, 0 spec problems" in log,
               "Conan ran test_package: eventdest::eventdest works")
    kafka_line = ("kafka destination made and closed" if with_kafka
                  else "built without the kafka adapter")
    ok &= check(kafka_line in log, f"test_package: {kafka_line}")

    with open(graph_file, encoding="utf-8") as f:
        graph = json.load(f)
    nodes = graph["graph"]["nodes"].values()
    platform = {n["ref"].split("/")[0]: n["ref"] for n in nodes if n.get("recipe") == "Platform"}
    expected = [r for r in PLATFORM_REQUIREMENTS if with_kafka or r != "librdkafka"]
    ok &= check(sorted(platform) == sorted(expected),
                f"platform requirements {sorted(platform.values())}")
    node = package_node(graph)
    if node is None:
        fail("no eventdest package folder in the graph")
    folder = node["package_folder"]
    print(f"package folder {folder}")
    ok &= check(node.get("options", {}).get("shared") == args.shared and
                node.get("options", {}).get("with_kafka") == args.with_kafka,
                f"package options {node.get('options')}")

    lib = os.path.join(folder, "lib")
    static_libs = sorted(os.path.basename(p) for p in glob.glob(os.path.join(lib, "*.a")))
    shared_libs = sorted(os.path.basename(p) for p in glob.glob(os.path.join(lib, "*.so*")))
    names = ["libeventdest"] + (["libeventdest_kafka"] if with_kafka else [])
    if shared:
        ok &= check(not static_libs and all(f"{n}.so" in shared_libs for n in names) and
                    all(os.path.islink(os.path.join(lib, f"{n}.so")) for n in names),
                    f"shared libraries (with SONAME links) only: {shared_libs + static_libs}")
        # The system's libraries were linked: the .so files need them by their SONAMEs.
        needed = subprocess.run(["readelf", "-d", os.path.join(lib, "libeventdest.so")],
                                stdout=subprocess.PIPE, text=True).stdout
        ok &= check("[libcurl.so." in needed and "[libcrypto.so." in needed,
                    "libeventdest.so needs the system's libcurl and libcrypto")
        if with_kafka:
            needed = subprocess.run(["readelf", "-d", os.path.join(lib, "libeventdest_kafka.so")],
                                    stdout=subprocess.PIPE, text=True).stdout
            ok &= check("[librdkafka.so." in needed, "libeventdest_kafka.so needs librdkafka")
    else:
        ok &= check(not shared_libs and static_libs == sorted(f"{n}.a" for n in names),
                    f"static libraries only: {static_libs + shared_libs}")
    kafka_header = os.path.isfile(os.path.join(folder, "include", "eventdest", "kafka.hpp"))
    ok &= check(os.path.isfile(os.path.join(folder, "include", "eventdest", "eventdest.hpp")) and
                kafka_header == with_kafka, f"headers (kafka.hpp {'in' if kafka_header else 'out'})")
    # conan-center layout: Conan's generators describe the package, not our config or .pc files.
    ok &= check(not os.path.exists(os.path.join(lib, "cmake")) and
                not os.path.exists(os.path.join(lib, "pkgconfig")) and
                not os.path.exists(os.path.join(folder, "bin")),
                "no lib/cmake, lib/pkgconfig or bin/ in the package")
    sys.exit(0 if ok else 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("setup", "create"))
    parser.add_argument("--conan", required=True)
    parser.add_argument("--conan-home", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--cxx")
    parser.add_argument("--launcher")
    parser.add_argument("--shared", choices=("True", "False"))
    parser.add_argument("--with-kafka", choices=("True", "False"))
    args = parser.parse_args()
    args.profile = os.path.join(args.source, "tests", "package", "conan", "system.profile")
    require_conan(args)
    if args.mode == "setup":
        setup(args)
    else:
        if args.shared is None or args.with_kafka is None:
            parser.error("create needs --shared and --with-kafka")
        create(args)


if __name__ == "__main__":
    main()
