#include "core/pki/revocation_list.h"

#include <array>
#include <charconv>
#include <ctime>
#include <map>

#include <fmt/format.h>

#include "core/base/encoding.h"
#include "core/base/file.h"
#include "core/base/strings.h"

namespace truc::pki {
namespace {

constexpr std::array<std::pair<RevocationReason, std::string_view>, 6> kReasonNames = {{
    {RevocationReason::kUnspecified, "unspecified"},
    {RevocationReason::kKeyCompromise, "keyCompromise"},
    {RevocationReason::kCaCompromise, "cACompromise"},
    {RevocationReason::kAffiliationChanged, "affiliationChanged"},
    {RevocationReason::kSuperseded, "superseded"},
    {RevocationReason::kCessationOfOperation, "cessationOfOperation"},
}};

constexpr size_t kFingerprintBytes = 32;
constexpr size_t kMaxListFileBytes = 64 << 20;

constexpr std::string_view kHeader =
    "# Trục federation revocation list (docs/pki.md). One revoked certificate per line:\n"
    "# SHA-256-FINGERPRINT SERIAL REVOKED-AT REASON SUBJECT\n";

bool IsLowerHex(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Reads a decimal number written with exactly `text.size()` digits.
bool ParseDigits(std::string_view text, int* value) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return std::from_chars(text.data(), text.data() + text.size(), *value).ec == std::errc();
}

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction]Z", as FormatRfc3339 writes it.
StatusOr<TimePoint> ParseUtcTime(std::string_view text) {
  const Status invalid = InvalidArgumentError(
      fmt::format("'{}' is not an RFC 3339 UTC time like 2026-11-23T16:40:50Z", text),
      "pki.bad_revocation_list");
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text.back() != 'Z') {
    return invalid;
  }
  std::tm tm{};
  if (!ParseDigits(text.substr(0, 4), &tm.tm_year) || !ParseDigits(text.substr(5, 2), &tm.tm_mon) ||
      !ParseDigits(text.substr(8, 2), &tm.tm_mday) ||
      !ParseDigits(text.substr(11, 2), &tm.tm_hour) ||
      !ParseDigits(text.substr(14, 2), &tm.tm_min) ||
      !ParseDigits(text.substr(17, 2), &tm.tm_sec)) {
    return invalid;
  }
  std::string_view fraction = text.substr(19, text.size() - 20);
  int64_t nanoseconds = 0;
  if (!fraction.empty()) {
    if (fraction.front() != '.' || fraction.size() < 2 || fraction.size() > 10) return invalid;
    for (char digit : fraction.substr(1)) {
      if (digit < '0' || digit > '9') return invalid;
      nanoseconds = nanoseconds * 10 + (digit - '0');
    }
    for (size_t i = fraction.size() - 1; i < 9; ++i) nanoseconds *= 10;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::tm fields = tm;
  const time_t seconds = timegm(&tm);
  // timegm normalises out-of-range fields (a 31st of February); such a time is invalid.
  if (tm.tm_year != fields.tm_year || tm.tm_mon != fields.tm_mon || tm.tm_mday != fields.tm_mday ||
      tm.tm_hour != fields.tm_hour || tm.tm_min != fields.tm_min || tm.tm_sec != fields.tm_sec) {
    return invalid;
  }
  return std::chrono::system_clock::from_time_t(seconds) +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(
             std::chrono::nanoseconds(nanoseconds));
}

// Splits off the text up to the next space, or fails when there is none.
bool NextField(std::string_view* line, std::string_view* field) {
  const size_t space = line->find(' ');
  if (space == std::string_view::npos) return false;
  *field = line->substr(0, space);
  line->remove_prefix(space + 1);
  return true;
}

StatusOr<RevocationEntry> ParseEntry(std::string_view line) {
  std::string_view fingerprint, serial, revoked_at, reason;
  if (!NextField(&line, &fingerprint) || !NextField(&line, &serial) ||
      !NextField(&line, &revoked_at) || !NextField(&line, &reason) || line.empty()) {
    return InvalidArgumentError(
        "expected five fields: FINGERPRINT SERIAL REVOKED-AT REASON SUBJECT",
        "pki.bad_revocation_list");
  }
  RevocationEntry entry;
  if (fingerprint.size() != 2 * kFingerprintBytes || !IsLowerHex(fingerprint)) {
    return InvalidArgumentError(
        fmt::format("fingerprint '{}' is not 64 lower-case hex digits", fingerprint),
        "pki.bad_revocation_list");
  }
  entry.fingerprint = HexDecode(fingerprint).value();  // Checked just above.
  if (!IsLowerHex(serial)) {
    return InvalidArgumentError(fmt::format("serial '{}' is not lower-case hex", serial),
                                "pki.bad_revocation_list");
  }
  entry.serial_hex = serial;
  TRUC_ASSIGN_OR_RETURN(entry.revoked_at, ParseUtcTime(revoked_at));
  StatusOr<RevocationReason> parsed_reason = ParseRevocationReason(reason);
  if (!parsed_reason.ok()) {
    return InvalidArgumentError(parsed_reason.status().message(), "pki.bad_revocation_list");
  }
  entry.reason = *parsed_reason;
  entry.subject = line;
  return entry;
}

}  // namespace

std::string_view RevocationReasonName(RevocationReason reason) {
  for (const auto& [value, name] : kReasonNames) {
    if (value == reason) return name;
  }
  return "unspecified";
}

StatusOr<RevocationReason> ParseRevocationReason(std::string_view name) {
  std::vector<std::string_view> names;
  for (const auto& [value, known] : kReasonNames) {
    if (known == name) return value;
    names.push_back(known);
  }
  return InvalidArgumentError(fmt::format("unknown revocation reason '{}'; the reasons are {}",
                                          name, fmt::join(names, ", ")),
                              "pki.unknown_reason");
}

StatusOr<RevocationList> RevocationList::Parse(std::string_view text) {
  RevocationList list;
  std::map<std::string, size_t> line_of_fingerprint;
  size_t line_number = 0;
  for (std::string_view line : SplitString(text, '\n')) {
    ++line_number;
    line = TrimWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    StatusOr<RevocationEntry> entry = ParseEntry(line);
    if (!entry.ok()) return entry.status().Annotate(fmt::format("line {}", line_number));
    const auto [previous, inserted] = line_of_fingerprint.emplace(entry->fingerprint, line_number);
    if (!inserted) {
      return InvalidArgumentError(
          fmt::format("line {}: fingerprint {} is already listed on line {}", line_number,
                      HexEncode(entry->fingerprint), previous->second),
          "pki.bad_revocation_list");
    }
    list.entries_.push_back(*std::move(entry));
  }
  return list;
}

StatusOr<RevocationList> RevocationList::LoadFile(const std::string& path) {
  TRUC_ASSIGN_OR_RETURN(std::string text, ReadFile(path, kMaxListFileBytes));
  StatusOr<RevocationList> list = Parse(text);
  if (!list.ok()) return list.status().Annotate(path);
  return list;
}

StatusOr<RevocationEntry> RevocationList::Add(const crypto::Certificate& certificate,
                                              RevocationReason reason, TimePoint at) {
  const std::string fingerprint = certificate.Fingerprint();
  for (const RevocationEntry& entry : entries_) {
    if (entry.fingerprint != fingerprint) continue;
    return AlreadyExistsError(
        fmt::format("certificate '{}' (serial {}) is already revoked, since {} ({})",
                    certificate.subject(), certificate.serial_hex(),
                    FormatRfc3339(entry.revoked_at), RevocationReasonName(entry.reason)),
        "pki.already_revoked");
  }
  // Whole seconds, so that the entry reads back from the file exactly as it is.
  entries_.push_back({fingerprint, certificate.serial_hex(), certificate.subject(), reason,
                      std::chrono::floor<std::chrono::seconds>(at)});
  return entries_.back();
}

std::string RevocationList::Serialize() const {
  std::string text(kHeader);
  for (const RevocationEntry& entry : entries_) {
    text += fmt::format("{} {} {} {} {}\n", HexEncode(entry.fingerprint), entry.serial_hex,
                        FormatRfc3339(entry.revoked_at), RevocationReasonName(entry.reason),
                        entry.subject);
  }
  return text;
}

std::set<std::string> RevocationList::Fingerprints() const {
  std::set<std::string> fingerprints;
  for (const RevocationEntry& entry : entries_) fingerprints.insert(entry.fingerprint);
  return fingerprints;
}

StatusOr<RevocationEntry> RevokeInFile(const std::string& path,
                                       const crypto::Certificate& certificate,
                                       RevocationReason reason, TimePoint at) {
  StatusOr<RevocationList> list = RevocationList::LoadFile(path);
  if (!list.ok() && list.status().code() != StatusCode::kNotFound) return list.status();
  RevocationList updated = list.ok() ? *std::move(list) : RevocationList();
  TRUC_ASSIGN_OR_RETURN(RevocationEntry entry, updated.Add(certificate, reason, at));
  TRUC_RETURN_IF_ERROR(WriteFileAtomically(path, updated.Serialize(), 0644));
  return entry;
}

}  // namespace truc::pki
