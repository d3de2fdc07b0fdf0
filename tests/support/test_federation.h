// A federation's PKI made through the real certificate profiles, for tests of the registry and
// the gateway: a root CA, and certificates of any profile issued by it for new keys.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/pki/certificate_profiles.h"
#include "tests/support/test_pki.h"

namespace truc::testing {

class TestFederation {
 public:
  // Certificates are valid around `now` (the FakeClock's start by default; tests that hand
  // certificates to other processes pass the real time).
  explicit TestFederation(TimePoint now = kFakeClockStart);

  const KeyAndCertificate& root() const { return root_; }

  // A certificate of `profile` for a new P-256 key. `holder` is what the profile wants in the
  // subject: a member id ("VN/GOV/000100"), a server id ("VN/GOV/000100/gw1") or a name.
  KeyAndCertificate Issue(pki::Profile profile, const std::string& holder,
                          std::vector<std::string> subject_alt_names = {}) const;
  // As Issue, but issued at `issued_at` and valid for `validity` from then: for certificates that
  // have expired, or are not valid yet.
  KeyAndCertificate IssueAt(pki::Profile profile, const std::string& holder,
                            std::vector<std::string> subject_alt_names, TimePoint issued_at,
                            std::chrono::days validity) const;

  // Writes `leaf`'s key (mode 0600) to DIR/NAME.key and its certificate to DIR/NAME.pem.
  static void Write(const KeyAndCertificate& leaf, const std::string& dir, const std::string& name);

 private:
  KeyAndCertificate IssueWith(pki::Profile profile, const std::string& holder,
                              pki::ProfileOptions options) const;

  TimePoint now_;
  KeyAndCertificate root_;
};

}  // namespace truc::testing
