# Conan 2 recipe, following conan-center conventions (test_package/ beside it). Against the
# system's libraries (platform requirements; see the README):
#   conan create . -pr:a tests/package/conan/system.profile -o "eventdest/*:shared=False"
import os
import re

from conan import ConanFile
from conan.errors import ConanInvalidConfiguration
from conan.tools.build import check_min_cppstd
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, load, rmdir

required_conan_version = ">=2.0"


class EventdestConan(ConanFile):
    name = "eventdest"
    description = ("Publish application events to AWS Kinesis, to Kafka through Confluent REST "
                   "Proxy v3, and to Kafka natively (librdkafka)")
    # No licence has been chosen for the project yet; conan-center needs an SPDX id here.
    license = "LicenseRef-eventdest"
    topics = ("kinesis", "kafka", "kafka-rest", "aws", "sigv4", "jmespath", "events")
    package_type = "library"
    settings = "os", "arch", "compiler", "build_type"
    options = {
        "shared": [True, False],
        "fPIC": [True, False],
        "with_kafka": [True, False],
    }
    default_options = {
        "shared": False,
        "fPIC": True,
        "with_kafka": True,
    }
    # The library's sources only: tests, tools and examples are not built here (generate()), and
    # tools/ also holds the test peers (tools/peers/node_modules).
    exports_sources = "CMakeLists.txt", "cmake/*", "include/*", "src/*"

    def set_version(self):
        # One source of truth: project(eventdest VERSION x.y.z) in CMakeLists.txt.
        cmakelists = load(self, os.path.join(self.recipe_folder, "CMakeLists.txt"))
        self.version = re.search(r"project\(eventdest VERSION ([0-9.]+)", cmakelists).group(1)

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self):
        if self.options.shared:
            self.options.rm_safe("fPIC")

    def layout(self):
        cmake_layout(self, src_folder=".")

    def requirements(self):
        self.requires("libcurl/[>=7.78.0 <9]")
        self.requires("openssl/[>=1.1 <4]")
        # RapidJSON types appear in the opt-in public header eventdest/json_dom.hpp only.
        # >=1.1.0 admits both the last release (1.1.0: Debian's rapidjson-dev) and the
        # cci.YYYYMMDD snapshots of conan-center, which Conan orders after it.
        self.requires("rapidjson/[>=1.1.0]", transitive_headers=True)
        if self.options.with_kafka:
            self.requires("librdkafka/[>=2.0.2 <3]")

    def validate(self):
        check_min_cppstd(self, 17)
        if self.settings.os not in ("Linux", "FreeBSD", "Macos"):
            raise ConanInvalidConfiguration(f"{self.ref} supports POSIX systems only")

    def generate(self):
        tc = CMakeToolchain(self)
        tc.cache_variables["EVENTDEST_BUILD_TESTS"] = False
        tc.cache_variables["EVENTDEST_BUILD_TOOLS"] = False
        tc.cache_variables["EVENTDEST_BUILD_EXAMPLES"] = False
        tc.cache_variables["EVENTDEST_INSTALL"] = True
        tc.cache_variables["EVENTDEST_WITH_KAFKA"] = "ON" if self.options.with_kafka else "OFF"
        tc.generate()
        CMakeDeps(self).generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def package(self):
        cmake = CMake(self)
        cmake.install()
        # conan-center: consumers get Conan's generated config and .pc files, not ours.
        rmdir(self, os.path.join(self.package_folder, "lib", "cmake"))
        rmdir(self, os.path.join(self.package_folder, "lib", "pkgconfig"))
        rmdir(self, os.path.join(self.package_folder, "bin"))

    def _link_dependency(self, component, name, conan_components, system_libs):
        """Makes `component` use the dependency `name`. A Conan package is required by its
        components. A [platform_requires] one (the system's library: Conan passes nothing on for
        it, and it is absent from self.dependencies) is linked by name from the system's library
        path, when the consumer has to link it: a static libeventdest needs it at every final
        link, a shared one has it as a DT_NEEDED of its own (as the pkg-config files do)."""
        if name in self.dependencies:
            component.requires.extend(conan_components)
        elif not self.options.shared:
            component.system_libs.extend(system_libs)

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "eventdest")

        core = self.cpp_info.components["core"]
        core.set_property("cmake_target_name", "eventdest::eventdest")
        core.set_property("pkg_config_name", "eventdest")
        core.libs = ["eventdest"]
        # RapidJSON is header-only: as a platform requirement its headers are the system's.
        self._link_dependency(core, "rapidjson", ["rapidjson::rapidjson"], [])
        self._link_dependency(core, "libcurl", ["libcurl::curl"], ["curl"])
        self._link_dependency(core, "openssl", ["openssl::ssl", "openssl::crypto"],
                              ["ssl", "crypto"])
        if self.settings.os in ("Linux", "FreeBSD"):
            core.system_libs.append("pthread")

        if self.options.with_kafka:
            kafka = self.cpp_info.components["kafka"]
            kafka.set_property("cmake_target_name", "eventdest::kafka")
            kafka.set_property("pkg_config_name", "eventdest-kafka")
            kafka.libs = ["eventdest_kafka"]
            kafka.requires = ["core"]
            self._link_dependency(kafka, "librdkafka", ["librdkafka::rdkafka"], ["rdkafka"])
