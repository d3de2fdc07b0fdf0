#include "core/timestamp/serial_counter.h"

#include <catch2/catch.hpp>

#include "core/base/file.h"
#include "tests/support/temp_dir.h"

namespace truc::timestamp {
namespace {

TEST_CASE("Serial numbers never repeat across restarts", "[timestamp]") {
  testing::TempDir dir;
  const std::string path = dir.File("tsa.serial");
  uint64_t last = 0;
  for (int restart = 0; restart < 3; ++restart) {
    auto counter = SerialCounter::Open(path, /*block=*/10).value();
    for (int i = 0; i < 15; ++i) {
      const uint64_t serial = counter->Next().value();
      CHECK(serial > last);
      last = serial;
    }
  }
  CHECK(FilePermissions(path).value() == 0600);
}

TEST_CASE("A corrupt serial state is refused rather than restarted", "[timestamp]") {
  testing::TempDir dir;
  const std::string path = dir.File("tsa.serial");
  REQUIRE(WriteFileAtomically(path, "12x\n", 0600).ok());
  const Status status = SerialCounter::Open(path).status();
  CHECK(status.code() == StatusCode::kDataLoss);
  CHECK(status.message() ==
        "serial state file " + path + " is corrupt ('12x'); refusing to reuse serial numbers");
}

TEST_CASE("A serial that cannot be reserved durably is not handed out", "[timestamp]") {
  auto counter = SerialCounter::Open("/nonexistent-dir/tsa.serial").value();
  const Status status = counter->Next().status();
  CHECK_FALSE(status.ok());
  CHECK(status.message().starts_with("cannot reserve timestamp serial numbers: cannot create"));
}

}  // namespace
}  // namespace truc::timestamp
