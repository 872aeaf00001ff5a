// Who is acting: the authenticated user, their role and their data scope (H2, B12).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace hukou::org {

enum class Role {
  kWindowClerk,      // window_clerk 窗口受理员
  kPolice,           // police 户籍民警
  kAuxiliary,        // auxiliary 辅警/协警
  kStationChief,     // station_chief 派出所所长
  kBranchApprover,   // branch_approver 分局审批
  kCityApprover,     // city_approver 市局审批
  kSupervisor,       // supervisor 监管/督查
  kCommunityWorker,  // community_worker 社区协管员
  kAdmin,            // admin 系统管理员
};

// "police" → Role::kPolice; nullopt-like error kValidation "user.role" for unknown names.
Result<Role> ParseRole(std::string_view name);
std::string_view RoleName(Role role);   // "police"
std::string_view RoleTitle(Role role);  // "户籍民警"

// Capabilities, so that handlers never compare role names themselves.
bool IsPolice(Role role);         // sworn officers: police, station chief, approvers
bool CanReadPersons(Role role);   // all but admin
bool CanSeeAccessLog(Role role);  // supervisor, admin
bool CanEditRegistry(Role role);  // police-only acts (B12): not auxiliary, clerk, worker
bool CanManageUsers(Role role);   // admin
// Sworn officers and window clerks (who sign receipts) hold an SM2 signing key (H1).
bool NeedsSigningKey(Role role);

struct Actor {
  int64_t user_id = 0;  // 0: the system itself (import, demo, migrations)
  std::string login;
  std::string name;
  Role role = Role::kAdmin;
  std::string unit_code;
  std::string scope_prefix;  // station_code values this actor may see start with it ("" = all)

  // True when a row carrying station_code is inside this actor's jurisdiction.
  bool InScope(std::string_view station_code) const {
    return station_code.substr(0, scope_prefix.size()) == scope_prefix;
  }
  static Actor System();
};

// kForbidden "scope.outside" (不在您的数据权限范围内) unless actor.InScope(station_code).
Status CheckScope(const Actor& actor, std::string_view station_code);
// kForbidden "role.forbidden" with a message naming the role, unless allowed.
Status CheckRole(const Actor& actor, bool allowed, std::string_view what);

}  // namespace hukou::org
