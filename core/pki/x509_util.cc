#include "core/pki/x509_util.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>

#include "core/base/strings.h"

namespace truc::pki::internal {
namespace {

constexpr size_t kMaxHostNameLength = 253;
constexpr size_t kMaxLabelLength = 63;

bool IsLabelCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

// RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens.
bool IsHostName(std::string_view host) {
  if (host.empty() || host.size() > kMaxHostNameLength) return false;
  for (std::string_view label : SplitString(host, '.')) {
    if (label.empty() || label.size() > kMaxLabelLength) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!IsLabelCharacter(c)) return false;
    }
  }
  return true;
}

bool IsIpAddress(const std::string& address) {
  in6_addr buffer{};
  return inet_pton(AF_INET, address.c_str(), &buffer) == 1 ||
         inet_pton(AF_INET6, address.c_str(), &buffer) == 1;
}

}  // namespace

StatusOr<crypto::X509NamePtr> BuildName(const DistinguishedName& attributes) {
  if (attributes.empty()) return InvalidArgumentError("empty subject", "pki.bad_template");
  crypto::X509NamePtr name(X509_NAME_new());
  for (const auto& [field, value] : attributes) {
    if (X509_NAME_add_entry_by_txt(name.get(), field.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) != 1) {
      return crypto::OpenSslError(StatusCode::kInvalidArgument,
                                  fmt::format("invalid subject attribute {}='{}'", field, value),
                                  "pki.bad_template");
    }
  }
  return name;
}

StatusOr<DistinguishedName> ReadName(const X509_NAME* name) {
  DistinguishedName attributes;
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    const ASN1_OBJECT* object = X509_NAME_ENTRY_get_object(entry);
    // Short names where OpenSSL knows one ("CN"), dotted OIDs otherwise.
    std::string field;
    if (const int nid = OBJ_obj2nid(object); nid != NID_undef) {
      field = OBJ_nid2sn(nid);
    } else {
      char oid[80];
      OBJ_obj2txt(oid, sizeof(oid), object, 1);
      field = oid;
    }
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
    if (length < 0) {
      return crypto::OpenSslError(StatusCode::kInvalidArgument,
                                  fmt::format("subject attribute {} is not a valid string", field),
                                  "pki.malformed_name");
    }
    attributes.emplace_back(
        std::move(field), std::string(reinterpret_cast<char*>(utf8), static_cast<size_t>(length)));
    OPENSSL_free(utf8);
  }
  return attributes;
}

StatusOr<crypto::X509ExtensionPtr> MakeExtension(X509V3_CTX* ctx, int nid,
                                                 const std::string& value) {
  crypto::X509ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  if (!extension) {
    return crypto::OpenSslError(StatusCode::kInvalidArgument,
                                fmt::format("invalid {} extension '{}'", OBJ_nid2sn(nid), value),
                                "pki.bad_template");
  }
  return extension;
}

Status CheckSubjectAltName(std::string_view name) {
  if (name.starts_with("DNS:")) {
    if (IsHostName(name.substr(4))) return OkStatus();
    return InvalidArgumentError(
        fmt::format("subjectAltName '{}' is not a valid DNS host name", name),
        "pki.bad_subject_alt_name");
  }
  if (name.starts_with("IP:")) {
    if (IsIpAddress(std::string(name.substr(3)))) return OkStatus();
    return InvalidArgumentError(
        fmt::format("subjectAltName '{}' is not a valid IPv4 or IPv6 address", name),
        "pki.bad_subject_alt_name");
  }
  return InvalidArgumentError(
      fmt::format("subjectAltName '{}' is neither DNS:<host name> nor IP:<address>", name),
      "pki.bad_subject_alt_name");
}

const EVP_MD* SignatureDigest(const crypto::PublicKey& key) {
  return key.type() == crypto::KeyType::kEd25519 ? nullptr : EVP_sha256();
}

}  // namespace truc::pki::internal
