// X-Road identifiers as they arrive in headers, URLs and configuration: Parse never crashes, and
// whatever parses prints back to a text that parses to the same identifier.
#include "core/ids/identifiers.h"
#include "core/ids/percent_encoding.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

template <typename Id>
void RoundTrip(const std::string& text) {
  truc::StatusOr<Id> id = Id::Parse(text);
  if (!id.ok()) return;
  truc::StatusOr<Id> again = Id::Parse(id->ToString());
  truc::fuzz::Require(again.ok() && *again == *id, "an identifier prints back to itself");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  RoundTrip<truc::ids::MemberId>(text);
  RoundTrip<truc::ids::SubsystemId>(text);
  RoundTrip<truc::ids::ServiceId>(text);
  RoundTrip<truc::ids::ServerId>(text);
  if (truc::StatusOr<std::string> decoded = truc::ids::PercentDecode(text); decoded.ok()) {
    truc::StatusOr<std::string> again =
        truc::ids::PercentDecode(truc::ids::PercentEncode(*decoded));
    truc::fuzz::Require(again.ok() && *again == *decoded, "percent-encoding round-trips");
  }
  return 0;
}
