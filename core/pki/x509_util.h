// Helpers shared by the pki library's own sources. Not part of its interface: other code builds
// names and extensions through CertificateTemplate, CertificateRequest and the profiles.
#pragma once

#include <string>
#include <string_view>

#include <openssl/x509v3.h>

#include "core/base/status.h"
#include "core/crypto/keys.h"
#include "core/crypto/openssl_util.h"
#include "core/pki/certificate_issuer.h"

namespace truc::pki::internal {

// Builds an X509_NAME from `attributes`. InvalidArgument ("pki.bad_template") for an empty name,
// an unknown attribute or a value OpenSSL refuses (e.g. a C that is not two letters).
StatusOr<crypto::X509NamePtr> BuildName(const DistinguishedName& attributes);

// The attributes of `name` in order, values converted to UTF-8. InvalidArgument
// ("pki.malformed_name") for a value that is not a valid string of its ASN.1 type.
StatusOr<DistinguishedName> ReadName(const X509_NAME* name);

// Makes one extension from OpenSSL configuration text ("critical,digitalSignature").
// InvalidArgument ("pki.bad_template") naming the extension and the text when OpenSSL refuses it.
// `ctx` may be nullptr for extensions that need no issuer or subject context.
StatusOr<crypto::X509ExtensionPtr> MakeExtension(X509V3_CTX* ctx, int nid,
                                                 const std::string& value);

// Checks one subjectAltName in OpenSSL's notation: "DNS:name" with a syntactically valid host
// name, or "IP:address" with an IPv4 or IPv6 address. InvalidArgument ("pki.bad_subject_alt_name")
// saying what is wrong.
Status CheckSubjectAltName(std::string_view name);

// The digest to sign certificates and requests with for `key`'s type (nullptr for Ed25519).
const EVP_MD* SignatureDigest(const crypto::PublicKey& key);

}  // namespace truc::pki::internal
