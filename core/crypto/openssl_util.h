// OpenSSL handles owned by unique_ptr, and conversion of OpenSSL's error queue into Status.
// For use inside Trục's wrapper libraries (crypto, pki, timestamp, net) only: no raw OpenSSL
// pointer leaves those wrappers.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "core/base/clock.h"
#include "core/base/status.h"

namespace truc::crypto {

template <typename T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* p) const { Free(p); }
};

template <typename T, void (*Free)(T*)>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<T, Free>>;

using BioPtr = OpenSslPtr<BIO, BIO_free_all>;
using EvpPkeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using EvpPkeyCtxPtr = OpenSslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using EvpMdCtxPtr = OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using EvpCipherCtxPtr = OpenSslPtr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using X509Ptr = OpenSslPtr<X509, X509_free>;
using X509StorePtr = OpenSslPtr<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = OpenSslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;
using X509NamePtr = OpenSslPtr<X509_NAME, X509_NAME_free>;
using X509ReqPtr = OpenSslPtr<X509_REQ, X509_REQ_free>;
using X509CrlPtr = OpenSslPtr<X509_CRL, X509_CRL_free>;
using X509ExtensionPtr = OpenSslPtr<X509_EXTENSION, X509_EXTENSION_free>;
using Asn1IntegerPtr = OpenSslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1TimePtr = OpenSslPtr<ASN1_TIME, ASN1_TIME_free>;
using BignumPtr = OpenSslPtr<BIGNUM, BN_free>;

// Drains OpenSSL's thread-local error queue into a Status: "`what`: <openssl errors>".
Status OpenSslError(StatusCode code, std::string_view what, std::string reason);

// Discards whatever is left in OpenSSL's error queue (after an expected failure).
void ClearOpenSslErrors();

// A read-only memory BIO over `data`, which must outlive the BIO.
BioPtr MemoryBio(std::string_view data);

// Everything written to a memory BIO so far.
std::string BioContents(BIO* bio);

// Converts between ASN1_TIME and TimePoint (second precision).
StatusOr<TimePoint> FromAsn1Time(const ASN1_TIME* time);
Asn1TimePtr ToAsn1Time(TimePoint time);

// X509_NAME as RFC 2253 text ("CN=Alice,O=Ministry,C=VN"), UTF-8.
std::string NameToString(const X509_NAME* name);

}  // namespace truc::crypto
