#include "core/base/status.h"

#include <memory>

#include <catch2/catch.hpp>

namespace truc {
namespace {

StatusOr<int> ParsePositive(int value) {
  if (value <= 0) return InvalidArgumentError("not > 0", "test.not_positive");
  return value;
}

StatusOr<int> Doubled(int value) {
  TRUC_ASSIGN_OR_RETURN(int parsed, ParsePositive(value));
  return parsed * 2;
}

Status CheckBoth(int a, int b) {
  TRUC_RETURN_IF_ERROR(ParsePositive(a).status());
  TRUC_RETURN_IF_ERROR(ParsePositive(b).status());
  return OkStatus();
}

TEST_CASE("A reason travels with the status through the macros", "[base]") {
  CHECK(Doubled(4).value() == 8);
  StatusOr<int> failed = Doubled(-1);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.status().code() == StatusCode::kInvalidArgument);
  CHECK(failed.status().reason() == "test.not_positive");
  CHECK(failed.status().ToString() == "INVALID_ARGUMENT: not > 0 [test.not_positive]");
  CHECK(CheckBoth(1, 2).ok());
  CHECK(CheckBoth(1, 0).reason() == "test.not_positive");
  CHECK(failed.value_or(7) == 7);
}

TEST_CASE("Annotate prefixes the message and keeps code and reason", "[base]") {
  Status annotated = ParsePositive(0).status().Annotate("gateway.toml");
  CHECK(annotated.message() == "gateway.toml: not > 0");
  CHECK(annotated.code() == StatusCode::kInvalidArgument);
  CHECK(annotated.reason() == "test.not_positive");
  CHECK(OkStatus().Annotate("ignored").ok());
}

TEST_CASE("StatusOr never holds an OK status without a value", "[base]") {
  StatusOr<std::string> misuse = OkStatus();
  CHECK_FALSE(misuse.ok());
  CHECK(misuse.status().code() == StatusCode::kInternal);
  CHECK(Status(StatusCode::kOk, "x").code() == StatusCode::kInternal);
}

TEST_CASE("StatusOr holds move-only and converted values", "[base]") {
  struct Base {
    virtual ~Base() = default;
  };
  struct Derived : Base {};
  StatusOr<std::unique_ptr<Base>> held = std::make_unique<Derived>();
  REQUIRE(held.ok());
  std::unique_ptr<Base> taken = std::move(held).value();
  CHECK(taken != nullptr);
  StatusOr<std::string> text = "literal";
  CHECK(*text == "literal");
  CHECK(text->size() == 7);
}

}  // namespace
}  // namespace truc
