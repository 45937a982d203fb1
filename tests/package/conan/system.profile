{#- Conan 2 profile (host and build: `conan create . -pr:a tests/package/conan/system.profile`)
    that builds eventdest against the system's libraries. libcurl, OpenSSL, RapidJSON and
    librdkafka are [platform_requires]: Conan takes them as given, at the versions pkg-config
    reports for the .pc files the build itself uses, so the profile stays true across a
    distribution's point releases (Debian 12 moves OpenSSL 3.0.x with each security update).
    A library pkg-config does not know is left out, and a recipe requiring it then fails to
    resolve (librdkafka is only required with eventdest/*:with_kafka=True).
    The settings are the default compiler's (CXX, else cc/gcc/clang), as `conan profile detect`
    would give, with C++17 (eventdest's minimum) and Release. -#}
{%- set compiler, compiler_version, compiler_exe = detect_api.detect_default_compiler() -%}
{%- macro modversion(module) -%}
{{ subprocess.run(["pkg-config", "--modversion", module], capture_output=True,
                  text=True).stdout.strip() }}
{%- endmacro %}
[settings]
os={{ detect_api.detect_os() }}
arch={{ detect_api.detect_arch() }}
compiler={{ compiler }}
compiler.version={{ detect_api.default_compiler_version(compiler, compiler_version) }}
compiler.libcxx={{ detect_api.detect_libcxx(compiler, compiler_version, compiler_exe) }}
compiler.cppstd=17
build_type=Release

[platform_requires]
{% for name, module in [("libcurl", "libcurl"), ("openssl", "openssl"),
                        ("rapidjson", "RapidJSON"), ("librdkafka", "rdkafka")] -%}
{%- set version = modversion(module) -%}
{%- if version %}
{{ name }}/{{ version }}
{%- endif %}
{%- endfor %}
