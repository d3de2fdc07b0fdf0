#include "core/crypto/openssl_util.h"

#include <openssl/asn1.h>
#include <openssl/err.h>

namespace truc::crypto {

Status OpenSslError(StatusCode code, std::string_view what, std::string reason) {
  std::string message(what);
  const char* sep = ": ";
  while (unsigned long error = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(error, buffer, sizeof(buffer));
    message += sep;
    message += buffer;
    sep = "; ";
  }
  return Status(code, std::move(message), std::move(reason));
}

void ClearOpenSslErrors() { ERR_clear_error(); }

BioPtr MemoryBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

StatusOr<TimePoint> FromAsn1Time(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    return OpenSslError(StatusCode::kInvalidArgument, "malformed ASN.1 time", "crypto.malformed");
  }
  // ASN.1 times reach year 9999 (RFC 5280's "no well-defined expiration", 99991231235959Z); the
  // clock's nanoseconds end in 2262. Times beyond it are the clock's end, not an overflow.
  const time_t seconds = timegm(&tm);
  constexpr auto kLast =
      std::chrono::duration_cast<std::chrono::seconds>(TimePoint::max().time_since_epoch()).count();
  constexpr auto kFirst =
      std::chrono::duration_cast<std::chrono::seconds>(TimePoint::min().time_since_epoch()).count();
  if (seconds >= kLast) return TimePoint::max();
  if (seconds <= kFirst) return TimePoint::min();
  return TimePoint(std::chrono::seconds(seconds));
}

Asn1TimePtr ToAsn1Time(TimePoint time) {
  return Asn1TimePtr(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(time)));
}

std::string NameToString(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return BioContents(bio.get());
}

}  // namespace truc::crypto
