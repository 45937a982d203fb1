#!/usr/bin/env python3
"""Loads conanfile.py with a stand-in for the `conan` module (Conan cannot be installed here)
and checks what the recipe declares against the CMake project beside it: version, options,
requirements per option, the CMake cache variables it sets, and the targets and libraries
package_info() declares versus those CMake installs. Usage: check_conan_recipe.py conanfile.py"""
import importlib.util
import os
import re
import sys
import types

recipe_path = os.path.abspath(sys.argv[1])
root = os.path.dirname(recipe_path)
failures = []


def check(ok, what):
    print(("ok: " if ok else "FAILED: ") + what)
    if not ok:
        failures.append(what)


class Options(dict):
    def __getattr__(self, name):
        return self[name]

    def __delattr__(self, name):
        del self[name]

    def rm_safe(self, name):
        self.pop(name, None)


class Component:
    def __init__(self):
        self.properties, self.libs, self.requires = {}, [], []
        self.defines, self.system_libs = [], []

    def set_property(self, name, value):
        self.properties[name] = value


class CppInfo(Component):
    def __init__(self):
        super().__init__()
        self.components = {}
        orig = self.components

        class Auto(dict):
            def __missing__(self, key):
                self[key] = Component()
                return self[key]
        self.components = Auto(orig)


class Toolchain:
    last = None

    def __init__(self, conanfile):
        self.cache_variables = {}
        Toolchain.last = self

    def generate(self):
        pass


def install_stub_modules():
    conan = types.ModuleType("conan")

    class ConanFile:
        pass
    conan.ConanFile = ConanFile
    errors = types.ModuleType("conan.errors")
    errors.ConanInvalidConfiguration = type("ConanInvalidConfiguration", (Exception,), {})
    tools = types.ModuleType("conan.tools")
    build = types.ModuleType("conan.tools.build")
    build.check_min_cppstd = lambda conanfile, version: None
    build.can_run = lambda conanfile: True
    cmake = types.ModuleType("conan.tools.cmake")
    cmake.CMake = object
    cmake.CMakeDeps = type("CMakeDeps", (), {"__init__": lambda s, c: None,
                                             "generate": lambda s: None})
    cmake.CMakeToolchain = Toolchain
    cmake.cmake_layout = lambda conanfile, **kw: None
    files = types.ModuleType("conan.tools.files")
    files.copy = lambda *a, **kw: None
    files.rmdir = lambda *a, **kw: None
    files.load = lambda conanfile, path: open(path, encoding="utf-8").read()
    for name, module in {"conan": conan, "conan.errors": errors, "conan.tools": tools,
                         "conan.tools.build": build, "conan.tools.cmake": cmake,
                         "conan.tools.files": files}.items():
        sys.modules[name] = module


install_stub_modules()
spec = importlib.util.spec_from_file_location("recipe", recipe_path)
recipe = importlib.util.module_from_spec(spec)
spec.loader.exec_module(recipe)
Recipe = recipe.EventdestConan
cmakelists = open(os.path.join(root, "CMakeLists.txt"), encoding="utf-8").read()
all_cmake = cmakelists + "".join(
    open(os.path.join(d, f), encoding="utf-8").read()
    for d, _, fs in os.walk(os.path.join(root, "cmake")) for f in fs if f.endswith(".cmake"))


def make(with_kafka, shared=False, os_name="Linux"):
    r = Recipe()
    r.recipe_folder = root
    r.options = Options(shared=shared, fPIC=True, with_kafka=with_kafka)
    r.settings = types.SimpleNamespace(os=os_name)
    r.cpp_info = CppInfo()
    r.requirements_seen = []
    r.requires = lambda ref, **kw: r.requirements_seen.append(ref.split("/")[0])
    r.ref = "eventdest/test"
    return r


r = make(True)
r.set_version()
version = re.search(r"project\(eventdest VERSION ([0-9.]+)", cmakelists).group(1)
check(r.version == version, f"version {r.version} is the CMake project's ({version})")
check(set(Recipe.options) == {"shared", "fPIC", "with_kafka"}, "options shared, fPIC, with_kafka")
check(Recipe.default_options["shared"] is False and Recipe.default_options["with_kafka"] is True,
      "defaults: static, with the Kafka adapter")
for needed in ("CMakeLists.txt", "cmake/*", "include/*", "src/*"):
    check(needed in Recipe.exports_sources, f"exports_sources has {needed}")

r.requirements()
check(r.requirements_seen == ["libcurl", "openssl", "rapidjson", "librdkafka"],
      f"requirements with kafka: {r.requirements_seen}")
r2 = make(False)
r2.requirements()
check("librdkafka" not in r2.requirements_seen, "no librdkafka without the adapter")

r3 = make(True, shared=True)
r3.configure()
check("fPIC" not in r3.options, "shared removes fPIC")
try:
    make(True, os_name="Windows").validate()
    check(False, "Windows is rejected")
except sys.modules["conan.errors"].ConanInvalidConfiguration:
    check(True, "Windows is rejected")

r.generate()
variables = Toolchain.last.cache_variables
for name in variables:
    check(re.search(rf"\b{name}\b", all_cmake) is not None,
          f"cache variable {name} exists in the CMake project")
check(variables.get("EVENTDEST_WITH_KAFKA") == "ON" and variables.get("EVENTDEST_BUILD_TESTS")
      is False, "with_kafka maps to EVENTDEST_WITH_KAFKA=ON, tests off")
r2.generate()
check(Toolchain.last.cache_variables.get("EVENTDEST_WITH_KAFKA") == "OFF",
      "with_kafka=False maps to EVENTDEST_WITH_KAFKA=OFF")

r.package_info()
components = r.cpp_info.components
check(r.cpp_info.properties.get("cmake_file_name") == "eventdest", "cmake_file_name eventdest")
check(components["core"].properties.get("cmake_target_name") == "eventdest::eventdest"
      and components["core"].libs == ["eventdest"], "core: eventdest::eventdest, libeventdest")
check(components["kafka"].properties.get("cmake_target_name") == "eventdest::kafka"
      and components["kafka"].libs == ["eventdest_kafka"] and "core" in components["kafka"].requires,
      "kafka: eventdest::kafka, libeventdest_kafka, requires core")
check("RAPIDJSON_HAS_STDSTRING=1" in components["core"].defines,
      "consumers get RAPIDJSON_HAS_STDSTRING=1 like the CMake package")
# The library names must be the CMake targets' output names.
check(re.search(r"add_library\(eventdest\)", open(os.path.join(root, "src/CMakeLists.txt")).read())
      is not None, "src/CMakeLists.txt builds libeventdest")
check(re.search(r"add_library\(eventdest_kafka\b",
                open(os.path.join(root, "src/kafka/CMakeLists.txt")).read()) is not None,
      "src/kafka/CMakeLists.txt builds libeventdest_kafka")
pc_names = {c.properties.get("pkg_config_name") for c in components.values()}
check(pc_names == {"eventdest", "eventdest-kafka"} and
      os.path.exists(os.path.join(root, "cmake/eventdest.pc.in")) and
      os.path.exists(os.path.join(root, "cmake/eventdest-kafka.pc.in")),
      "pkg-config names match the installed .pc files")
r4 = make(False)
r4.package_info()
check("kafka" not in r4.cpp_info.components, "no kafka component without the adapter")
check(os.path.exists(os.path.join(root, "test_package", "conanfile.py")), "test_package exists")

sys.exit(1 if failures else 0)
