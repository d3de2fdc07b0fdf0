#include "cli/pki_commands.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "cli/token_options.h"
#include <fmt/format.h>

#include "core/base/clock.h"
#include "core/base/encoding.h"
#include "core/base/file.h"
#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/crypto/pkcs11.h"
#include "core/crypto/secret.h"
#include "core/pki/certificate_authority.h"
#include "core/pki/certificate_profiles.h"
#include "core/pki/certificate_request.h"
#include "core/pki/revocation_list.h"

namespace truc::cli {
namespace {

// Certificates and requests are public; keys get 0600 from PrivateKey::WritePemFile.
constexpr mode_t kPublicFileMode = 0644;

// The profiles an agency asks for with `keygen`; `issue` also issues intermediate CAs.
constexpr pki::Profile kLeafProfiles[] = {pki::Profile::kMemberSigning, pki::Profile::kGatewayTls,
                                          pki::Profile::kTimestampAuthority,
                                          pki::Profile::kConfigurationSigning};

std::vector<std::string> ProfileNames(std::span<const pki::Profile> profiles) {
  std::vector<std::string> names;
  for (pki::Profile profile : profiles) names.emplace_back(pki::ProfileName(profile));
  return names;
}

struct InitCaOptions {
  std::string out_dir;
  std::string name = "Trục Federation";
  bool intermediate = false;
};

struct KeygenOptions {
  std::string key_out;
  std::string csr_out;
  TokenKeyOptions token;  // Or the key on a PKCS#11 token.
  std::string profile;
  std::string subject_id;
  std::string organization;
  std::vector<std::string> dns;
  std::vector<std::string> ip;
};

struct IssueOptions {
  std::string ca_cert;
  std::string ca_key;
  std::string csr;
  std::string profile;
  std::string out;
  int days = 0;  // 0: the profile's default validity.
  std::vector<std::string> dns;
  std::vector<std::string> ip;
};

struct RevokeOptions {
  std::string list;
  std::string cert;
  std::string reason;
};

struct ShowOptions {
  std::string cert;
};

// --dns and --ip values in OpenSSL's subjectAltName notation.
std::vector<std::string> SubjectAltNames(const std::vector<std::string>& dns,
                                         const std::vector<std::string>& ip) {
  std::vector<std::string> names;
  names.reserve(dns.size() + ip.size());
  for (const std::string& name : dns) names.push_back("DNS:" + name);
  for (const std::string& address : ip) names.push_back("IP:" + address);
  return names;
}

// OK when a new file can be made at `path`: nothing is there yet and its directory exists.
Status CheckCanCreate(const std::string& path) {
  std::error_code error;
  if (std::filesystem::exists(path, error)) {
    return AlreadyExistsError(fmt::format("{} already exists; refusing to overwrite it", path),
                              "cli.file_exists");
  }
  const std::filesystem::path directory = std::filesystem::path(path).parent_path();
  if (!directory.empty() && !std::filesystem::is_directory(directory, error)) {
    return NotFoundError(
        fmt::format("cannot create {}: directory {} does not exist", path, directory.string()),
        "cli.no_directory");
  }
  return OkStatus();
}

Status CheckCanCreateAll(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) TRUC_RETURN_IF_ERROR(CheckCanCreate(path));
  return OkStatus();
}

Status WriteNewFile(const std::string& path, std::string_view contents) {
  return WriteFileAtomically(path, contents, kPublicFileMode, WriteMode::kCreateOnly);
}

pki::ProfileOptions IssuedNow() { return {.now = SystemClock::Instance().Now()}; }

// Makes a CA of `profile` (root when `issuer` is null, otherwise issued by it) and writes its key
// and certificate.
StatusOr<std::pair<crypto::PrivateKey, crypto::Certificate>> CreateCa(
    pki::Profile profile, const std::string& federation, std::string_view role,
    const std::pair<crypto::PrivateKey, crypto::Certificate>* issuer, const std::string& key_path,
    const std::string& cert_path, std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(
      pki::DistinguishedName subject,
      pki::SubjectForProfile(profile, fmt::format("{} {}", federation, role), federation));
  TRUC_ASSIGN_OR_RETURN(crypto::PrivateKey key,
                        crypto::PrivateKey::Generate(crypto::KeyType::kEcP256));
  TRUC_ASSIGN_OR_RETURN(crypto::Certificate certificate,
                        issuer == nullptr
                            ? pki::IssueRootCertificate(subject, key, IssuedNow())
                            : pki::IssueWithProfile(profile, subject, key.public_key(), IssuedNow(),
                                                    issuer->second, issuer->first));
  TRUC_RETURN_IF_ERROR(key.WritePemFile(key_path));
  TRUC_RETURN_IF_ERROR(WriteNewFile(cert_path, certificate.ToPem()));
  out << fmt::format(
      "created {} '{}' valid until {}\n  certificate {}\n  private key {} (mode 0600)\n", role,
      certificate.subject(), FormatRfc3339(certificate.not_after()), cert_path, key_path);
  return std::make_pair(std::move(key), std::move(certificate));
}

Status InitCa(const InitCaOptions& options, std::ostream& out) {
  const std::string root_key = options.out_dir + "/root-ca.key";
  const std::string root_cert = options.out_dir + "/root-ca.pem";
  const std::string intermediate_key = options.out_dir + "/intermediate-ca.key";
  const std::string intermediate_cert = options.out_dir + "/intermediate-ca.pem";
  std::error_code error;
  std::filesystem::create_directories(options.out_dir, error);
  if (error) {
    return UnavailableError(
        fmt::format("cannot create directory {}: {}", options.out_dir, error.message()),
        "cli.io_error");
  }
  std::vector<std::string> outputs = {root_key, root_cert};
  if (options.intermediate) outputs.insert(outputs.end(), {intermediate_key, intermediate_cert});
  TRUC_RETURN_IF_ERROR(CheckCanCreateAll(outputs));

  TRUC_ASSIGN_OR_RETURN(auto root, CreateCa(pki::Profile::kRootCa, options.name, "Root CA", nullptr,
                                            root_key, root_cert, out));
  if (!options.intermediate) return OkStatus();
  return CreateCa(pki::Profile::kIntermediateCa, options.name, "Intermediate CA", &root,
                  intermediate_key, intermediate_cert, out)
      .status();
}

// keygen with the key generated on a PKCS#11 token: only the request leaves the token.
Status KeygenOnToken(const KeygenOptions& options, const pki::DistinguishedName& subject,
                     const std::vector<std::string>& names, std::ostream& out) {
  if (!options.key_out.empty()) {
    return InvalidArgumentError("a key on a token is not written to a file: drop --key-out",
                                "cli.bad_arguments");
  }
  TRUC_RETURN_IF_ERROR(CheckCanCreate(options.csr_out));
  TRUC_ASSIGN_OR_RETURN(std::shared_ptr<crypto::Pkcs11Token> token, OpenToken(options.token));
  TRUC_ASSIGN_OR_RETURN(const crypto::PublicKey key, token->GenerateEcKey(options.token.key_label));
  TRUC_ASSIGN_OR_RETURN(const std::unique_ptr<crypto::Signer> signer,
                        token->SignerFor(options.token.key_label));
  TRUC_ASSIGN_OR_RETURN(pki::CertificateRequest request,
                        pki::CertificateRequest::Create(key, *signer, subject, names));
  TRUC_RETURN_IF_ERROR(WriteNewFile(options.csr_out, request.ToPem()));
  out << fmt::format(
      "created a {} key \"{}\" on {} and a request for '{}'\n  the private key stays on the "
      "token\n  request {}: send it to the federation CA\n",
      options.profile, options.token.key_label, token->description(), request.subject_text(),
      options.csr_out);
  return OkStatus();
}

Status Keygen(const KeygenOptions& options, std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(pki::Profile profile, pki::ParseProfile(options.profile));
  StatusOr<pki::DistinguishedName> subject =
      pki::SubjectForProfile(profile, options.subject_id, options.organization);
  if (!subject.ok()) return subject.status().Annotate("--subject-id");
  const std::vector<std::string> names = SubjectAltNames(options.dns, options.ip);
  if (!names.empty() && profile != pki::Profile::kGatewayTls) {
    return InvalidArgumentError("--dns and --ip are for --profile gateway-tls only",
                                "cli.bad_arguments");
  }
  if (options.token.given()) return KeygenOnToken(options, *subject, names, out);
  if (options.key_out.empty()) {
    return InvalidArgumentError("--key-out (or a key on a token: --pkcs11-module ...) is required",
                                "cli.bad_arguments");
  }
  if (options.key_out == options.csr_out) {
    return InvalidArgumentError("--key-out and --csr-out must be different files",
                                "cli.bad_arguments");
  }
  TRUC_RETURN_IF_ERROR(CheckCanCreateAll({options.key_out, options.csr_out}));

  TRUC_ASSIGN_OR_RETURN(crypto::PrivateKey key,
                        crypto::PrivateKey::Generate(crypto::KeyType::kEcP256));
  TRUC_ASSIGN_OR_RETURN(pki::CertificateRequest request,
                        pki::CertificateRequest::Create(key, *subject, names));
  TRUC_RETURN_IF_ERROR(key.WritePemFile(options.key_out));
  TRUC_RETURN_IF_ERROR(WriteNewFile(options.csr_out, request.ToPem()));
  out << fmt::format(
      "created a {} key and request for '{}'\n  private key {} (mode 0600): it stays here\n"
      "  request {}: send it to the federation CA\n",
      options.profile, request.subject_text(), options.key_out, options.csr_out);
  return OkStatus();
}

Status Issue(const IssueOptions& options, std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(pki::Profile profile, pki::ParseProfile(options.profile));
  TRUC_RETURN_IF_ERROR(CheckCanCreate(options.out));
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> ca_chain,
                        crypto::Certificate::LoadPemFile(options.ca_cert));
  const crypto::Certificate& ca = ca_chain.front();
  TRUC_ASSIGN_OR_RETURN(crypto::PrivateKey ca_key, crypto::PrivateKey::LoadPemFile(options.ca_key));
  if (ca_key.key_id() != ca.public_key().key_id()) {
    return FailedPreconditionError(
        fmt::format("the key in {} does not belong to the CA certificate in {} ('{}')",
                    options.ca_key, options.ca_cert, ca.subject()),
        "cli.ca_key_mismatch");
  }
  TRUC_ASSIGN_OR_RETURN(pki::CertificateRequest request,
                        pki::CertificateRequest::LoadPemFile(options.csr));

  pki::ProfileOptions profile_options = IssuedNow();
  if (options.days > 0) profile_options.validity = std::chrono::days(options.days);
  profile_options.subject_alt_names = SubjectAltNames(options.dns, options.ip);
  StatusOr<crypto::Certificate> certificate =
      pki::IssueFromRequest(request, profile, profile_options, ca, ca_key);
  if (!certificate.ok()) return certificate.status().Annotate(options.csr);

  // The leaf, then the CA certificates below the root, which peers need to build the chain.
  std::string pem = certificate->ToPem();
  for (const crypto::Certificate& chain_certificate : ca_chain) {
    if (!pki::ReadUsage(chain_certificate).self_signed) pem += chain_certificate.ToPem();
  }
  TRUC_RETURN_IF_ERROR(WriteNewFile(options.out, pem));
  out << fmt::format(
      "issued a {} certificate for '{}'\n  serial {}, valid until {}\n  written to {}\n",
      options.profile, certificate->subject(), certificate->serial_hex(),
      FormatRfc3339(certificate->not_after()), options.out);
  return OkStatus();
}

Status Revoke(const RevokeOptions& options, std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(pki::RevocationReason reason, pki::ParseRevocationReason(options.reason));
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> certificates,
                        crypto::Certificate::LoadPemFile(options.cert));
  const crypto::Certificate& certificate = certificates.front();
  StatusOr<pki::RevocationEntry> entry =
      pki::RevokeInFile(options.list, certificate, reason, SystemClock::Instance().Now());
  if (!entry.ok()) return entry.status().Annotate(options.list);
  out << fmt::format("revoked '{}' ({}) in {}\n  serial {}\n  fingerprint {}\n", entry->subject,
                     options.reason, options.list, entry->serial_hex,
                     HexEncode(entry->fingerprint));
  return OkStatus();
}

std::string Listed(const std::vector<std::string>& items, bool critical) {
  if (items.empty()) return "(none)";
  return fmt::format("{}{}", fmt::join(items, ", "), critical ? " (critical)" : "");
}

void PrintCertificate(const crypto::Certificate& certificate, TimePoint now, std::ostream& out) {
  const pki::CertificateUsage usage = pki::ReadUsage(certificate);
  const std::optional<pki::Profile> profile = pki::GuessProfile(certificate);
  std::string state = "valid now";
  if (now < certificate.not_before()) state = "not yet valid";
  if (now > certificate.not_after()) state = "expired";

  out << fmt::format("subject:            {}\n", certificate.subject())
      << fmt::format("issuer:             {}\n", certificate.issuer())
      << fmt::format("serial:             {}\n", certificate.serial_hex())
      << fmt::format("validity:           {} to {} ({})\n", FormatRfc3339(certificate.not_before()),
                     FormatRfc3339(certificate.not_after()), state)
      << fmt::format("fingerprint:        {} (SHA-256)\n", HexEncode(certificate.Fingerprint()))
      << fmt::format("public key:         {}\n", certificate.public_key().Describe());
  if (usage.is_ca) {
    out << fmt::format("CA:                 yes{}{}\n",
                       usage.path_length >= 0 ? fmt::format(", pathlen {}", usage.path_length) : "",
                       usage.self_signed ? ", self-signed" : "");
  } else {
    out << "CA:                 no\n";
  }
  out << fmt::format("key usage:          {}\n", Listed(usage.key_usage, usage.key_usage_critical))
      << fmt::format("extended key usage: {}\n",
                     Listed(usage.extended_key_usage, usage.extended_key_usage_critical));
  if (const std::vector<std::string> names = certificate.SubjectAltNames(); !names.empty()) {
    out << fmt::format("subject alt names:  {}\n", fmt::join(names, ", "));
  }
  if (profile == pki::Profile::kMemberSigning) {
    StatusOr<ids::MemberId> member = pki::MemberIdFromSigningCertificate(certificate);
    out << fmt::format(
        "member:             {}\n",
        member.ok() ? member->ToString() : "(none: " + member.status().message() + ")");
  }
  out << fmt::format("profile (guessed):  {}\n", profile ? std::string(pki::ProfileName(*profile))
                                                         : "none of the federation's profiles");
}

Status Show(const ShowOptions& options, std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> certificates,
                        crypto::Certificate::LoadPemFile(options.cert));
  const TimePoint now = SystemClock::Instance().Now();
  for (size_t i = 0; i < certificates.size(); ++i) {
    if (certificates.size() > 1) {
      out << fmt::format("{}certificate {} of {} in {}\n", i > 0 ? "\n" : "", i + 1,
                         certificates.size(), options.cert);
    }
    PrintCertificate(certificates[i], now, out);
  }
  return OkStatus();
}

// Registers `pki <name>`, which runs `run` on `options`; the callback keeps `options` alive.
template <typename Options>
CLI::App* AddPkiCommand(CLI::App& pki, const std::string& name, const std::string& description,
                        Status (*run)(const Options&, std::ostream&),
                        const std::shared_ptr<Options>& options, const Output& output,
                        Status* result) {
  return AddCommand(
      pki, name, description, [run, options, &output] { return run(*options, output.out); },
      result);
}

}  // namespace

void AddPkiCommands(CLI::App& app, const Output& output, Status* result) {
  CLI::App* pki = app.add_subcommand("pki",
                                     "Federation certificates: CAs, keys, requests, "
                                     "issuing and revocation");
  pki->require_subcommand(1);

  auto init_ca = std::make_shared<InitCaOptions>();
  CLI::App* command =
      AddPkiCommand(*pki, "init-ca", "Create the federation's root CA (and an intermediate CA)",
                    &InitCa, init_ca, output, result);
  command->add_option("--out", init_ca->out_dir, "Directory for the CA keys and certificates")
      ->required();
  command->add_option("--name", init_ca->name, "The federation's name, used in the CA subjects")
      ->capture_default_str();
  command->add_flag("--intermediate", init_ca->intermediate,
                    "Also create an intermediate CA, issued by the root, to issue leaves");

  auto keygen = std::make_shared<KeygenOptions>();
  command = AddPkiCommand(*pki, "keygen", "Create an agency's key and certificate request", &Keygen,
                          keygen, output, result);
  command->add_option("--key-out", keygen->key_out,
                      "New private key file (mode 0600); or the key on a token:");
  AddTokenKeyOptions(*command, keygen->token,
                     "the key is generated on its token and never leaves it");
  command->add_option("--csr-out", keygen->csr_out, "New certificate request file")->required();
  command->add_option("--profile", keygen->profile, "Certificate profile")
      ->required()
      ->check(CLI::IsMember(ProfileNames(kLeafProfiles)));
  command
      ->add_option("--subject-id", keygen->subject_id,
                   "Holder: INSTANCE/CLASS/CODE/SERVER for gateway-tls, the member "
                   "INSTANCE/CLASS/CODE otherwise")
      ->required();
  command->add_option("--name", keygen->organization, "Organisation name for the subject's O");
  command->add_option("--dns", keygen->dns, "DNS name of the gateway (gateway-tls)");
  command->add_option("--ip", keygen->ip, "IP address of the gateway (gateway-tls)");

  auto issue = std::make_shared<IssueOptions>();
  command = AddPkiCommand(*pki, "issue", "Issue a certificate from a request", &Issue, issue,
                          output, result);
  command
      ->add_option("--ca-cert", issue->ca_cert,
                   "Issuing CA certificate (PEM; its chain may follow)")
      ->required();
  command->add_option("--ca-key", issue->ca_key, "Issuing CA private key")->required();
  command->add_option("--csr", issue->csr, "Certificate request (PEM)")->required();
  command->add_option("--profile", issue->profile, "Certificate profile")
      ->required()
      ->check(CLI::IsMember([] {
        std::vector<std::string> names = ProfileNames(kLeafProfiles);
        names.emplace_back(pki::ProfileName(pki::Profile::kIntermediateCa));
        return names;
      }()));
  command->add_option("--out", issue->out, "New certificate file (PEM, leaf then CA chain)")
      ->required();
  command->add_option("--days", issue->days, "Validity in days (default: the profile's)")
      ->check(CLI::PositiveNumber);
  command->add_option("--dns", issue->dns, "DNS name (gateway-tls; replaces the requested names)");
  command->add_option("--ip", issue->ip, "IP address (gateway-tls; replaces the requested names)");

  auto revoke = std::make_shared<RevokeOptions>();
  command = AddPkiCommand(*pki, "revoke", "Add a certificate to the federation's revocation list",
                          &Revoke, revoke, output, result);
  command->add_option("--list", revoke->list, "Revocation list file (created if missing)")
      ->required();
  command->add_option("--cert", revoke->cert, "Certificate to revoke (the first in the file)")
      ->required();
  command
      ->add_option("--reason", revoke->reason,
                   "RFC 5280 revocation reason, e.g. keyCompromise, superseded, "
                   "cessationOfOperation")
      ->required();

  auto show = std::make_shared<ShowOptions>();
  command =
      AddPkiCommand(*pki, "show", "Print what a certificate says", &Show, show, output, result);
  command->add_option("--cert", show->cert, "Certificate file (PEM; every certificate in it)")
      ->required();
}

}  // namespace truc::cli
