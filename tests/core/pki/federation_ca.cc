#include "tests/core/pki/federation_ca.h"

#include "core/pki/certificate_authority.h"

namespace truc::pki::testing {

crypto::PrivateKey NewKey() {
  return crypto::PrivateKey::Generate(crypto::KeyType::kEcP256).value();
}

FederationCa MakeFederationCa() {
  const ProfileOptions options{.now = kIssuedAt};
  crypto::PrivateKey root_key = NewKey();
  crypto::Certificate root =
      IssueRootCertificate({{"O", "Trục test"}, {"CN", "Test Root CA"}}, root_key, options).value();
  crypto::PrivateKey intermediate_key = NewKey();
  crypto::Certificate intermediate =
      IssueWithProfile(Profile::kIntermediateCa,
                       {{"O", "Trục test"}, {"CN", "Test Intermediate CA"}},
                       intermediate_key.public_key(), options, root, root_key)
          .value();
  return {std::move(root_key), std::move(root), std::move(intermediate_key),
          std::move(intermediate)};
}

crypto::Certificate IssueLeaf(const FederationCa& ca, Profile profile,
                              const DistinguishedName& subject,
                              std::vector<std::string> subject_alt_names) {
  const ProfileOptions options{.now = kIssuedAt, .subject_alt_names = std::move(subject_alt_names)};
  return IssueWithProfile(profile, subject, NewKey().public_key(), options, ca.intermediate,
                          ca.intermediate_key)
      .value();
}

}  // namespace truc::pki::testing
