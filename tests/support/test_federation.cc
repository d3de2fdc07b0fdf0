#include "tests/support/test_federation.h"

#include <cstdio>
#include <cstdlib>

#include "core/base/file.h"
#include "core/pki/certificate_authority.h"

namespace truc::testing {
namespace {

template <typename T>
T OrDie(StatusOr<T> value) {
  if (!value.ok()) {
    std::fprintf(stderr, "test federation: %s\n", value.status().ToString().c_str());
    std::abort();
  }
  return *std::move(value);
}

crypto::PrivateKey NewKey() {
  return OrDie(crypto::PrivateKey::Generate(crypto::KeyType::kEcP256));
}

}  // namespace

TestFederation::TestFederation(TimePoint now)
    : now_(now), root_([&] {
        crypto::PrivateKey key = NewKey();
        crypto::Certificate cert = OrDie(pki::IssueRootCertificate(
            {{"O", "Trục test federation"}, {"CN", "Test Federation Root CA"}}, key, {.now = now}));
        return KeyAndCertificate{std::move(key), std::move(cert)};
      }()) {}

KeyAndCertificate TestFederation::Issue(pki::Profile profile, const std::string& holder,
                                        std::vector<std::string> subject_alt_names) const {
  return IssueWith(profile, holder,
                   {.now = now_, .subject_alt_names = std::move(subject_alt_names)});
}

KeyAndCertificate TestFederation::IssueAt(pki::Profile profile, const std::string& holder,
                                          std::vector<std::string> subject_alt_names,
                                          TimePoint issued_at, std::chrono::days validity) const {
  return IssueWith(
      profile, holder,
      {.now = issued_at, .validity = validity, .subject_alt_names = std::move(subject_alt_names)});
}

KeyAndCertificate TestFederation::IssueWith(pki::Profile profile, const std::string& holder,
                                            pki::ProfileOptions options) const {
  crypto::PrivateKey key = NewKey();
  const pki::DistinguishedName subject = OrDie(pki::SubjectForProfile(profile, holder, ""));
  crypto::Certificate cert = OrDie(pki::IssueWithProfile(profile, subject, key.public_key(),
                                                         options, root_.certificate, root_.key));
  return {std::move(key), std::move(cert)};
}

void TestFederation::Write(const KeyAndCertificate& leaf, const std::string& dir,
                           const std::string& name) {
  const Status key = leaf.key.WritePemFile(dir + "/" + name + ".key");
  const Status cert =
      WriteFileAtomically(dir + "/" + name + ".pem", leaf.certificate.ToPem(), 0644);
  if (!key.ok() || !cert.ok()) {
    std::fprintf(stderr, "test federation: cannot write %s\n", name.c_str());
    std::abort();
  }
}

}  // namespace truc::testing
