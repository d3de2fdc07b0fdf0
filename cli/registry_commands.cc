#include "cli/registry_commands.h"

#include <algorithm>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "cli/admin_client.h"
#include "cli/table.h"
#include "cli/token_options.h"
#include <fmt/format.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/json_util.h>

#include "core/base/clock.h"
#include "core/base/encoding.h"
#include "core/base/file.h"
#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/globalconf/subject_patterns.h"
#include "core/ids/id_proto.h"
#include "core/ids/identifiers.h"
#include "core/pki/certificate_profiles.h"
#include "proto/timestamp_conversion.h"
#include "truc/v1/registry.grpc.pb.h"

namespace truc::cli {
namespace {

using Stub = v1::RegistryAdmin::Stub;

// Describes a change: "<what> (configuration version N)".
auto Changed(std::string what) {
  return [what = std::move(what)](const v1::ChangeResult& change) {
    return fmt::format("{} (configuration version {})", what, change.version());
  };
}

// "application 4: approved (configuration version 7)", "application 4: pending approval", ...
std::string DescribeRecord(const v1::ApplicationRecord& record) {
  switch (record.state()) {
    case v1::APPLICATION_STATE_APPROVED:
      return fmt::format("application {}: approved (configuration version {})", record.id(),
                         record.version());
    case v1::APPLICATION_STATE_PENDING:
      return fmt::format("application {}: pending approval", record.id());
    case v1::APPLICATION_STATE_REJECTED:
      return fmt::format("application {}: rejected", record.id());
    default:
      return fmt::format("application {}: in an unknown state ({})", record.id(),
                         static_cast<int>(record.state()));
  }
}

// A command-line word and the protobuf enum value it stands for.
template <typename Enum>
using EnumNames = std::span<const std::pair<std::string_view, Enum>>;

constexpr std::pair<std::string_view, v1::ServiceKind> kServiceKinds[] = {
    {"rest", v1::SERVICE_KIND_REST},
    {"openapi", v1::SERVICE_KIND_OPENAPI},
    {"grpc", v1::SERVICE_KIND_GRPC},
};
constexpr std::pair<std::string_view, v1::DataClassification> kClassifications[] = {
    {"public", v1::DATA_CLASSIFICATION_PUBLIC},
    {"internal", v1::DATA_CLASSIFICATION_INTERNAL},
    {"personal", v1::DATA_CLASSIFICATION_PERSONAL},
    {"sensitive", v1::DATA_CLASSIFICATION_SENSITIVE},
};

template <typename Enum>
std::vector<std::string> Words(EnumNames<Enum> names) {
  std::vector<std::string> words;
  for (const auto& [word, value] : names) words.emplace_back(word);
  return words;
}

// The value of `word`, which CLI11 has checked against Words(names).
template <typename Enum>
Enum ValueOf(EnumNames<Enum> names, std::string_view word) {
  for (const auto& [name, value] : names) {
    if (name == word) return value;
  }
  return names.front().second;  // Unreachable: the option's check admits only listed words.
}

// --- Members, subsystems, CAs, TSAs, revocations ---

struct MemberAddOptions {
  std::string id;
  std::string name;
};

Status MemberAdd(const MemberAddOptions& options, const ConnectionOptions& connection,
                 std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(ids::MemberId id, ids::MemberId::Parse(options.id));
  v1::RegisterMemberRequest request;
  *request.mutable_id() = ids::ToProto(id);
  request.set_name(options.name);
  return CallAndReport(connection, &Stub::RegisterMember, request,
                       Changed(fmt::format("member {} registered", id.ToString())), out);
}

struct SubsystemAddOptions {
  std::string id;
  std::string name;
};

Status SubsystemAdd(const SubsystemAddOptions& options, const ConnectionOptions& connection,
                    std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(ids::SubsystemId id, ids::SubsystemId::Parse(options.id));
  v1::RegisterSubsystemRequest request;
  *request.mutable_id() = ids::ToProto(id);
  request.set_name(options.name);
  return CallAndReport(connection, &Stub::RegisterSubsystem, request,
                       Changed(fmt::format("subsystem {} registered", id.ToString())), out);
}

struct CertificateFileOptions {
  std::string cert_file;
};

v1::CertificateRequest CertificateRequestFor(const crypto::Certificate& certificate) {
  v1::CertificateRequest request;
  request.set_certificate_der(certificate.ToDer());
  return request;
}

Status CaAdd(const CertificateFileOptions& options, const ConnectionOptions& connection,
             std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> certificates,
                        crypto::Certificate::LoadPemFile(options.cert_file));
  TRUC_ASSIGN_OR_RETURN(AdminClient<Stub> client, AdminClient<Stub>::Open(connection));
  for (const crypto::Certificate& certificate : certificates) {
    TRUC_RETURN_IF_ERROR(
        Report(client.Call(&Stub::AddApprovedCa, CertificateRequestFor(certificate)),
               Changed(fmt::format("approved CA '{}' added", certificate.subject())), out));
  }
  return OkStatus();
}

Status TsaAdd(const CertificateFileOptions& options, const ConnectionOptions& connection,
              std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> certificates,
                        crypto::Certificate::LoadPemFile(options.cert_file));
  const crypto::Certificate& certificate = certificates.front();
  return CallAndReport(connection, &Stub::AddApprovedTsa, CertificateRequestFor(certificate),
                       Changed(fmt::format("approved TSA '{}' added", certificate.subject())), out);
}

struct RevokeOptions {
  std::string cert_file;
  std::string fingerprint;  // Hex, optionally with ':' between bytes.
  std::string reason = "unspecified";
};

Status Revoke(const RevokeOptions& options, const ConnectionOptions& connection,
              std::ostream& out) {
  v1::RevokeCertificateRequest request;
  request.set_reason(options.reason);
  std::string what;
  if (!options.cert_file.empty()) {
    TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> certificates,
                          crypto::Certificate::LoadPemFile(options.cert_file));
    const crypto::Certificate& certificate = certificates.front();
    request.set_fingerprint(certificate.Fingerprint());
    what = fmt::format("certificate '{}' ({}) revoked", certificate.subject(),
                       HexEncode(certificate.Fingerprint()));
  } else if (!options.fingerprint.empty()) {
    std::string hex = options.fingerprint;
    std::erase(hex, ':');
    StatusOr<std::string> fingerprint = HexDecode(hex);
    if (!fingerprint.ok()) return fingerprint.status().Annotate("--fingerprint");
    if (fingerprint->size() != 32) {
      return InvalidArgumentError(
          "--fingerprint must be a SHA-256 fingerprint: 64 hex digits, not " +
              std::to_string(hex.size()),
          "cli.bad_arguments");
    }
    request.set_fingerprint(*fingerprint);
    what = fmt::format("certificate {} revoked", HexEncode(*fingerprint));
  } else {
    return InvalidArgumentError("name the certificate to revoke with --cert-file or --fingerprint",
                                "cli.bad_arguments");
  }
  return CallAndReport(connection, &Stub::RevokeCertificate, request, Changed(what), out);
}

// --- The service catalog and global groups ---

struct ServicePublishOptions {
  std::string id;
  std::string kind;
  std::string classification;
  std::string description;
  std::string contact;
  std::string document;  // A file: the OpenAPI document or serialized FileDescriptorSet.
  std::vector<std::string> subject_identifiers;
};

Status ServicePublish(const ServicePublishOptions& options, const ConnectionOptions& connection,
                      std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(ids::ServiceId id, ids::ServiceId::Parse(options.id));
  v1::PublishServiceRequest request;
  v1::ServiceDescription& service = *request.mutable_service();
  *service.mutable_id() = ids::ToProto(id);
  service.set_kind(ValueOf<v1::ServiceKind>(kServiceKinds, options.kind));
  service.set_classification(
      ValueOf<v1::DataClassification>(kClassifications, options.classification));
  service.set_description(options.description);
  service.set_owner_contact(options.contact);
  // Checked here for a clear message before anything is sent; the registry checks again.
  TRUC_RETURN_IF_ERROR(globalconf::SubjectPatterns::Parse(options.subject_identifiers).status());
  for (const std::string& pattern : options.subject_identifiers) {
    service.add_subject_identifiers(pattern);
  }
  if (!options.document.empty()) {
    TRUC_ASSIGN_OR_RETURN(*service.mutable_interface_document(), ReadFile(options.document));
  }
  return CallAndReport(connection, &Stub::PublishService, request,
                       Changed(fmt::format("service {} published", id.ToString())), out);
}

struct ServiceWithdrawOptions {
  std::string id;
};

Status ServiceWithdraw(const ServiceWithdrawOptions& options, const ConnectionOptions& connection,
                       std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(ids::ServiceId id, ids::ServiceId::Parse(options.id));
  v1::ServiceRef request;
  *request.mutable_id() = ids::ToProto(id);
  return CallAndReport(connection, &Stub::WithdrawService, request,
                       Changed(fmt::format("service {} withdrawn", id.ToString())), out);
}

struct GroupCreateOptions {
  std::string code;
  std::string description;
};

Status GroupCreate(const GroupCreateOptions& options, const ConnectionOptions& connection,
                   std::ostream& out) {
  v1::GroupRequest request;
  request.set_code(options.code);
  request.set_description(options.description);
  return CallAndReport(connection, &Stub::CreateGroup, request,
                       Changed(fmt::format("group {} created", options.code)), out);
}

struct GroupMemberOptions {
  std::string code;
  std::string member;
};

// `group add` and `group remove`: `method` with the subsystem and group, described as
// "<subsystem> <done> group <code>".
Status ChangeGroup(const GroupMemberOptions& options, const ConnectionOptions& connection,
                   AdminMethod<Stub, v1::GroupMemberRequest, v1::ChangeResult> method,
                   std::string_view done, std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(ids::SubsystemId member, ids::SubsystemId::Parse(options.member));
  v1::GroupMemberRequest request;
  request.set_group_code(options.code);
  *request.mutable_member() = ids::ToProto(member);
  return CallAndReport(
      connection, method, request,
      Changed(fmt::format("{} {} group {}", member.ToString(), done, options.code)), out);
}

Status GroupAdd(const GroupMemberOptions& options, const ConnectionOptions& connection,
                std::ostream& out) {
  return ChangeGroup(options, connection, &Stub::AddGroupMember, "added to", out);
}

Status GroupRemove(const GroupMemberOptions& options, const ConnectionOptions& connection,
                   std::ostream& out) {
  return ChangeGroup(options, connection, &Stub::RemoveGroupMember, "removed from", out);
}

// --- Applications ---

struct ApplicantOptions {
  std::string signing_key;
  TokenKeyOptions token;  // Or the signing key on a PKCS#11 token.
  std::string signing_cert;
};

// A member's signing key and its certificate chain, leaf first.
struct Applicant {
  std::unique_ptr<crypto::Signer> key;
  std::vector<crypto::Certificate> chain;
};

StatusOr<Applicant> LoadApplicant(const ApplicantOptions& options) {
  if (options.signing_key.empty() == !options.token.given()) {
    return InvalidArgumentError(
        "give the member's signing key with --signing-key, or on a token with --pkcs11-module "
        "(one of them)",
        "cli.bad_arguments");
  }
  std::unique_ptr<crypto::Signer> key;
  std::string where = options.signing_key;
  if (options.token.given()) {
    TRUC_ASSIGN_OR_RETURN(std::shared_ptr<crypto::Pkcs11Token> token, OpenToken(options.token));
    TRUC_ASSIGN_OR_RETURN(key, token->SignerFor(options.token.key_label));
    where = fmt::format("the key \"{}\" on {}", options.token.key_label, token->description());
  } else {
    TRUC_ASSIGN_OR_RETURN(crypto::PrivateKey file,
                          crypto::PrivateKey::LoadPemFile(options.signing_key));
    key = std::make_unique<crypto::PrivateKey>(std::move(file));
    where = "the key in " + options.signing_key;
  }
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> chain,
                        crypto::Certificate::LoadPemFile(options.signing_cert));
  if (key->key_id() != chain.front().public_key().key_id()) {
    return FailedPreconditionError(
        fmt::format("{} does not belong to the certificate in {} ('{}')", where,
                    options.signing_cert, chain.front().subject()),
        "cli.key_mismatch");
  }
  return Applicant{.key = std::move(key), .chain = std::move(chain)};
}

// Stamps `application` with the current time, serializes it and signs those bytes as
// `applicant`, whose whole chain goes along.
StatusOr<v1::SignedApplication> SignApplication(v1::Application application,
                                                const Applicant& applicant) {
  *application.mutable_created_at() = proto::ToProtoTimestamp(SystemClock::Instance().Now());
  v1::SignedApplication signed_application;
  if (!application.SerializeToString(signed_application.mutable_application())) {
    return InternalError("cannot serialize the application", "cli.internal");
  }
  TRUC_ASSIGN_OR_RETURN(crypto::Signature signature,
                        applicant.key->Sign(signed_application.application()));
  signed_application.mutable_signature()->set_key_id(signature.key_id);
  signed_application.mutable_signature()->set_value(signature.value);
  for (const crypto::Certificate& certificate : applicant.chain) {
    signed_application.add_signer_certificate_chain(certificate.ToDer());
  }
  return signed_application;
}

// Signs `application` as the applicant of `options` and submits it.
Status Submit(v1::Application application, const ApplicantOptions& options,
              const ConnectionOptions& connection, std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(Applicant applicant, LoadApplicant(options));
  TRUC_ASSIGN_OR_RETURN(v1::SignedApplication signed_application,
                        SignApplication(std::move(application), applicant));
  return CallAndReport(connection, &Stub::SubmitApplication, signed_application, DescribeRecord,
                       out);
}

struct ApplyGatewayOptions {
  ApplicantOptions applicant;
  std::string server_id;
  std::string address;
  std::string tls_cert;
};

Status ApplyGateway(const ApplyGatewayOptions& options, const ConnectionOptions& connection,
                    std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(ids::ServerId server, ids::ServerId::Parse(options.server_id));
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> tls_chain,
                        crypto::Certificate::LoadPemFile(options.tls_cert));
  v1::Application application;
  *application.mutable_member() = ids::ToProto(server.owner());
  v1::Gateway& gateway = *application.mutable_gateway();
  *gateway.mutable_id() = ids::ToProto(server);
  gateway.set_address(options.address);
  gateway.add_tls_certificate_fingerprints(tls_chain.front().Fingerprint());
  return Submit(std::move(application), options.applicant, connection, out);
}

struct ApplySigningCertOptions {
  ApplicantOptions applicant;
  std::string new_cert;  // Empty: the applicant's own certificate.
};

Status ApplySigningCert(const ApplySigningCertOptions& options, const ConnectionOptions& connection,
                        std::ostream& out) {
  const std::string& file =
      options.new_cert.empty() ? options.applicant.signing_cert : options.new_cert;
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> certificates,
                        crypto::Certificate::LoadPemFile(file));
  const crypto::Certificate& certificate = certificates.front();
  StatusOr<ids::MemberId> member = pki::MemberIdFromSigningCertificate(certificate);
  if (!member.ok()) return member.status().Annotate(file);
  v1::Application application;
  *application.mutable_member() = ids::ToProto(*member);
  application.set_signing_certificate(certificate.ToDer());
  return Submit(std::move(application), options.applicant, connection, out);
}

struct ApplicationsOptions {
  bool pending = false;
};

std::string_view StateName(v1::ApplicationState state) {
  switch (state) {
    case v1::APPLICATION_STATE_PENDING:
      return "pending";
    case v1::APPLICATION_STATE_APPROVED:
      return "approved";
    case v1::APPLICATION_STATE_REJECTED:
      return "rejected";
    default:
      return "unknown";
  }
}

// One row of `applications`: id, state, member, what is applied for. The record comes from the
// registry, which has verified it; anything unreadable is shown as such rather than refused.
std::vector<std::string> ApplicationRow(const v1::ApplicationRecord& record) {
  std::vector<std::string> row = {std::to_string(record.id()),
                                  std::string(StateName(record.state())), "?",
                                  "(unreadable application)"};
  v1::Application application;
  if (!application.ParseFromString(record.signed_().application())) return row;
  if (StatusOr<ids::MemberId> member = ids::FromProto(application.member()); member.ok()) {
    row[2] = member->ToString();
  }
  if (application.has_gateway()) {
    const StatusOr<ids::ServerId> server = ids::FromProto(application.gateway().id());
    row[3] = fmt::format("gateway {} at {}", server.ok() ? server->ToString() : "?",
                         application.gateway().address());
  } else {
    const StatusOr<crypto::Certificate> certificate =
        crypto::Certificate::FromDer(application.signing_certificate());
    row[3] = certificate.ok() ? fmt::format("signing certificate '{}'", certificate->subject())
                              : "signing certificate (unreadable)";
  }
  return row;
}

// The applications as a table with a header row, columns aligned.
std::string ApplicationTable(const v1::ListApplicationsResponse& response, bool pending_only) {
  if (response.applications().empty()) {
    return pending_only ? "no pending applications" : "no applications";
  }
  std::vector<std::vector<std::string>> rows = {{"ID", "STATE", "MEMBER", "WHAT"}};
  for (const v1::ApplicationRecord& record : response.applications()) {
    rows.push_back(ApplicationRow(record));
  }
  return FormatTable(rows);
}

Status Applications(const ApplicationsOptions& options, const ConnectionOptions& connection,
                    std::ostream& out) {
  v1::ListApplicationsRequest request;
  request.set_pending_only(options.pending);
  return CallAndReport(
      connection, &Stub::ListApplications, request,
      [&](const v1::ListApplicationsResponse& response) {
        return ApplicationTable(response, options.pending);
      },
      out);
}

struct DecisionOptions {
  uint64_t id = 0;
  std::string note;
};

v1::ApplicationRef ApplicationRefFor(const DecisionOptions& options) {
  v1::ApplicationRef ref;
  ref.set_id(options.id);
  ref.set_note(options.note);
  return ref;
}

Status Approve(const DecisionOptions& options, const ConnectionOptions& connection,
               std::ostream& out) {
  return CallAndReport(connection, &Stub::ApproveApplication, ApplicationRefFor(options),
                       DescribeRecord, out);
}

Status Reject(const DecisionOptions& options, const ConnectionOptions& connection,
              std::ostream& out) {
  return CallAndReport(connection, &Stub::RejectApplication, ApplicationRefFor(options),
                       DescribeRecord, out);
}

// --- The configuration ---

struct ConfigOptions {};

Status Config(const ConfigOptions& /*options*/, const ConnectionOptions& connection,
              std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(AdminClient<Stub> client, AdminClient<Stub>::Open(connection));
  TRUC_ASSIGN_OR_RETURN(v1::GlobalConfiguration configuration,
                        client.Call(&Stub::GetConfiguration, v1::GetConfigurationRequest()));
  google::protobuf::util::JsonPrintOptions json_options;
  json_options.add_whitespace = true;
  json_options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(configuration, &json, json_options).ok()) {
    return InternalError("cannot render the configuration as JSON", "cli.internal");
  }
  out << json;
  if (!json.ends_with('\n')) out << "\n";
  return OkStatus();
}

// --- Registration ---

void AddApplicantOptions(CLI::App& command, ApplicantOptions& options) {
  command.add_option("--signing-key", options.signing_key,
                     "The applying member's signing key (PEM, mode 0600); or on a token:");
  AddTokenKeyOptions(command, options.token, "the member's signing key is on its token");
  command
      .add_option("--signing-cert", options.signing_cert,
                  "Its member-signing certificate (PEM, leaf first, then any intermediate CAs)")
      ->required();
}

void AddDecisionCommand(CLI::App& registry, const std::string& name, const std::string& description,
                        Status (*run)(const DecisionOptions&, const ConnectionOptions&,
                                      std::ostream&),
                        const AdminCommandContext& context) {
  auto options = std::make_shared<DecisionOptions>();
  CLI::App* command = AddAdminCommand(registry, name, description, run, options, context);
  command->add_option("--id", options->id, "The application's number")->required();
  command->add_option("--note", options->note, "Why; kept with the application");
}

}  // namespace

void AddRegistryCommands(CLI::App& app, const Output& output, Status* result) {
  const AdminCommandContext context = AddAdminApi(
      app, "registry", "Administer the federation's registry over its admin API (mutual TLS)",
      output, result);
  CLI::App* registry = context.api;

  CLI::App* member = AddGroup(*registry, "member", "Members of the federation");
  auto member_add = std::make_shared<MemberAddOptions>();
  CLI::App* command =
      AddAdminCommand(*member, "add", "Register a member", &MemberAdd, member_add, context);
  command->add_option("--id", member_add->id, "Member id INSTANCE/CLASS/CODE")->required();
  command->add_option("--name", member_add->name, "The organisation's name")->required();

  CLI::App* subsystem = AddGroup(*registry, "subsystem", "Subsystems of members");
  auto subsystem_add = std::make_shared<SubsystemAddOptions>();
  command = AddAdminCommand(*subsystem, "add", "Register a subsystem of a registered member",
                            &SubsystemAdd, subsystem_add, context);
  command->add_option("--id", subsystem_add->id, "Subsystem id INSTANCE/CLASS/CODE/SUBSYSTEM")
      ->required();
  command->add_option("--name", subsystem_add->name, "The subsystem's name");

  CLI::App* ca = AddGroup(*registry, "ca", "Approved certification authorities");
  auto ca_add = std::make_shared<CertificateFileOptions>();
  command = AddAdminCommand(*ca, "add", "Approve every CA certificate in a file", &CaAdd, ca_add,
                            context);
  command->add_option("--cert-file", ca_add->cert_file, "CA certificates (PEM)")->required();

  CLI::App* tsa = AddGroup(*registry, "tsa", "Approved timestamp authorities");
  auto tsa_add = std::make_shared<CertificateFileOptions>();
  command =
      AddAdminCommand(*tsa, "add", "Approve a timestamp authority", &TsaAdd, tsa_add, context);
  command->add_option("--cert-file", tsa_add->cert_file, "The TSA's certificate (PEM; the first)")
      ->required();

  auto revoke = std::make_shared<RevokeOptions>();
  command = AddAdminCommand(*registry, "revoke", "Revoke a certificate federation-wide", &Revoke,
                            revoke, context);
  CLI::Option* cert_file = command->add_option("--cert-file", revoke->cert_file,
                                               "The certificate to revoke (PEM; the first)");
  command
      ->add_option("--fingerprint", revoke->fingerprint,
                   "Or its SHA-256 fingerprint, in hex (':' between bytes allowed)")
      ->excludes(cert_file);
  command->add_option("--reason", revoke->reason, "Why, e.g. keyCompromise, superseded")
      ->capture_default_str();

  CLI::App* service = AddGroup(*registry, "service", "The service catalog");
  auto publish = std::make_shared<ServicePublishOptions>();
  command = AddAdminCommand(*service, "publish", "Publish or update a service", &ServicePublish,
                            publish, context);
  command
      ->add_option("--id", publish->id,
                   "Service id INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE[/VERSION]")
      ->required();
  command->add_option("--kind", publish->kind, "How the service is described")
      ->required()
      ->check(CLI::IsMember(Words<v1::ServiceKind>(kServiceKinds)));
  command->add_option("--classification", publish->classification, "What data it carries")
      ->required()
      ->check(CLI::IsMember(Words<v1::DataClassification>(kClassifications)));
  command->add_option("--description", publish->description, "What the service does");
  command->add_option("--contact", publish->contact, "Who answers for it");
  command->add_option("--document", publish->document,
                      "Interface file: the OpenAPI document, or a serialized FileDescriptorSet");
  command->add_option("--subject-identifier", publish->subject_identifiers,
                      "Where requests name their subject, for the audit logs' index: a path "
                      "template (\"/citizens/{}\") or \"?parameter\"; repeatable");
  auto withdraw = std::make_shared<ServiceWithdrawOptions>();
  command = AddAdminCommand(*service, "withdraw", "Remove a service from the catalog",
                            &ServiceWithdraw, withdraw, context);
  command->add_option("--id", withdraw->id, "Service id")->required();

  CLI::App* group = AddGroup(*registry, "group", "Global groups of subsystems");
  auto group_create = std::make_shared<GroupCreateOptions>();
  command = AddAdminCommand(*group, "create", "Create a global group", &GroupCreate, group_create,
                            context);
  command->add_option("--code", group_create->code, "The group's code")->required();
  command->add_option("--description", group_create->description, "What the group is for");
  for (const auto& [name, description, run] :
       {std::tuple{"add", "Add a subsystem to a global group", &GroupAdd},
        std::tuple{"remove", "Remove a subsystem from a global group", &GroupRemove}}) {
    auto group_member = std::make_shared<GroupMemberOptions>();
    command = AddAdminCommand(*group, name, description, run, group_member, context);
    command->add_option("--code", group_member->code, "The group's code")->required();
    command
        ->add_option("--member", group_member->member, "Subsystem id INSTANCE/CLASS/CODE/SUBSYSTEM")
        ->required();
  }

  CLI::App* apply = AddGroup(*registry, "apply",
                             "Apply, as a member, for something to be registered; signed with the "
                             "member's signing key");
  auto apply_gateway = std::make_shared<ApplyGatewayOptions>();
  command = AddAdminCommand(*apply, "gateway",
                            "Register a gateway (or its new address or TLS certificate)",
                            &ApplyGateway, apply_gateway, context);
  AddApplicantOptions(*command, apply_gateway->applicant);
  command
      ->add_option("--server-id", apply_gateway->server_id,
                   "The gateway's id INSTANCE/CLASS/CODE/SERVER")
      ->required();
  command
      ->add_option("--address", apply_gateway->address, "Where other gateways reach it, HOST:PORT")
      ->required();
  command
      ->add_option("--tls-cert", apply_gateway->tls_cert,
                   "Its TLS certificate (PEM; the first), pinned by fingerprint")
      ->required();
  auto apply_signing = std::make_shared<ApplySigningCertOptions>();
  command = AddAdminCommand(*apply, "signing-cert", "Register a member signing certificate",
                            &ApplySigningCert, apply_signing, context);
  AddApplicantOptions(*command, apply_signing->applicant);
  command->add_option("--new-cert", apply_signing->new_cert,
                      "The certificate to register (PEM; the first); default: --signing-cert "
                      "itself, proving possession of its key");

  auto applications = std::make_shared<ApplicationsOptions>();
  command = AddAdminCommand(*registry, "applications", "List the applications", &Applications,
                            applications, context);
  command->add_flag("--pending", applications->pending, "Only those awaiting a decision");
  AddDecisionCommand(*registry, "approve", "Approve a pending application", &Approve, context);
  AddDecisionCommand(*registry, "reject", "Reject a pending application", &Reject, context);

  AddAdminCommand(*registry, "config", "Print the current configuration as JSON", &Config,
                  std::make_shared<ConfigOptions>(), context);
}

}  // namespace truc::cli
