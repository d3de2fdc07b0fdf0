#include "core/crypto/secret.h"

#include <type_traits>

#include <catch2/catch.hpp>

namespace truc::crypto {
namespace {

TEST_CASE("Secrets are read explicitly and emptied when moved from", "[crypto]") {
  SecretBytes secret("hunter2");
  CHECK(secret.reveal() == "hunter2");
  SecretBytes moved = std::move(secret);
  CHECK(moved.reveal() == "hunter2");
  CHECK(secret.empty());  // NOLINT(bugprone-use-after-move): moved-from state is specified.
  SecretBytes copy;
  copy = moved;
  CHECK(copy.size() == 7);
  static_assert(!std::is_convertible_v<SecretBytes, std::string>);
  static_assert(!std::is_convertible_v<SecretBytes, std::string_view>);
}

}  // namespace
}  // namespace truc::crypto
