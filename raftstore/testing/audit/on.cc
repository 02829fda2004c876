// Linked into a test binary (//raftstore/testing/audit:on, alwayslink), this turns the audits
// on for every GenericTest scenario the binary runs whose options name no audit of their own.

#include "raftstore/testing/audit/audits.h"

namespace raftstore::testing::audit {
namespace {

const bool kRegistered = [] {
  SetDefaultScenarioAudit([](const GenericTestOptions& o) -> std::unique_ptr<ScenarioAudit> {
    return std::make_unique<Audits>(AuditOptionsFor(o));
  });
  return true;
}();

}  // namespace
}  // namespace raftstore::testing::audit
