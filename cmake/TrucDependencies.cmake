# Third-party packages, all from Debian 12's main archive (see scripts/install-deps.sh).
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)
find_package(Boost 1.81 REQUIRED CONFIG)
find_package(Protobuf 3.21 REQUIRED)
find_package(gRPC 1.51 CONFIG REQUIRED)
find_package(RocksDB 7.8 CONFIG REQUIRED)
find_package(Catch2 2.13 REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(nlohmann_json 3.11 CONFIG REQUIRED)
find_package(tomlplusplus 3.3 CONFIG REQUIRED)
include(Catch)
find_package(fmt 9 CONFIG REQUIRED)
# HTTP/2 on our own event loops (core/net): the exchange between gateways.
find_package(PkgConfig REQUIRED)
pkg_check_modules(nghttp2 REQUIRED IMPORTED_TARGET libnghttp2>=1.52)
# The daemons and the CLI allocate with jemalloc: glibc's malloc took a sixth of a gateway's time under load
# (docs/performance.md). Not under the sanitizers, which bring allocators of their own.
if(TRUC_SANITIZER STREQUAL "")
  find_library(TRUC_JEMALLOC NAMES jemalloc REQUIRED)
endif()
