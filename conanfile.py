# Conan 2 recipe, following conan-center conventions (test_package/ beside it).
#   conan create . -o "eventdest/*:with_kafka=True" -o "eventdest/*:shared=False"
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
    exports_sources = "CMakeLists.txt", "cmake/*", "include/*", "src/*", "tools/*"

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
        # RapidJSON types appear in eventdest's public headers.
        self.requires("rapidjson/cci.20230929", transitive_headers=True)
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

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "eventdest")

        core = self.cpp_info.components["core"]
        core.set_property("cmake_target_name", "eventdest::eventdest")
        core.set_property("pkg_config_name", "eventdest")
        core.libs = ["eventdest"]
        core.defines = ["RAPIDJSON_HAS_STDSTRING=1"]
        core.requires = ["libcurl::curl", "openssl::ssl", "openssl::crypto",
                         "rapidjson::rapidjson"]
        if self.settings.os in ("Linux", "FreeBSD"):
            core.system_libs = ["pthread"]

        if self.options.with_kafka:
            kafka = self.cpp_info.components["kafka"]
            kafka.set_property("cmake_target_name", "eventdest::kafka")
            kafka.set_property("pkg_config_name", "eventdest-kafka")
            kafka.libs = ["eventdest_kafka"]
            kafka.requires = ["core", "librdkafka::rdkafka"]
