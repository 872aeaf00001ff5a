#include "org/actor.h"

#include <array>
#include <string>

namespace hukou::org {
namespace {
struct RoleInfo {
  Role role;
  std::string_view name;
  std::string_view title;
};
constexpr std::array<RoleInfo, 9> kRoles = {{
    {Role::kWindowClerk, "window_clerk", "窗口受理员"},
    {Role::kPolice, "police", "户籍民警"},
    {Role::kAuxiliary, "auxiliary", "辅警"},
    {Role::kStationChief, "station_chief", "派出所所长"},
    {Role::kBranchApprover, "branch_approver", "分局审批人"},
    {Role::kCityApprover, "city_approver", "市局审批人"},
    {Role::kSupervisor, "supervisor", "监管督查员"},
    {Role::kCommunityWorker, "community_worker", "社区协管员"},
    {Role::kAdmin, "admin", "系统管理员"},
}};
}  // namespace

Result<Role> ParseRole(std::string_view name) {
  for (const RoleInfo& r : kRoles) {
    if (r.name == name) return r.role;
  }
  return ValidationError("user.role", "未知的角色：" + std::string(name), "role");
}

std::string_view RoleName(Role role) {
  for (const RoleInfo& r : kRoles) {
    if (r.role == role) return r.name;
  }
  return "";
}

std::string_view RoleTitle(Role role) {
  for (const RoleInfo& r : kRoles) {
    if (r.role == role) return r.title;
  }
  return "";
}

bool IsPolice(Role role) {
  switch (role) {
    case Role::kPolice:
    case Role::kStationChief:
    case Role::kBranchApprover:
    case Role::kCityApprover:
      return true;
    default:
      return false;
  }
}

bool CanReadPersons(Role role) { return role != Role::kAdmin; }
bool CanSeeAccessLog(Role role) { return role == Role::kSupervisor || role == Role::kAdmin; }
bool CanEditRegistry(Role role) { return IsPolice(role); }
bool CanManageUsers(Role role) { return role == Role::kAdmin; }
bool NeedsSigningKey(Role role) { return IsPolice(role) || role == Role::kWindowClerk; }

Actor Actor::System() {
  Actor a;
  a.user_id = 0;
  a.login = "system";
  a.name = "系统";
  a.role = Role::kAdmin;
  return a;
}

Status CheckScope(const Actor& actor, std::string_view station_code) {
  if (actor.InScope(station_code)) return Status::Ok();
  return ForbiddenError("scope.outside", "该数据不在您的数据权限（辖区）范围内");
}

Status CheckRole(const Actor& actor, bool allowed, std::string_view what) {
  if (allowed) return Status::Ok();
  return ForbiddenError("role.forbidden",
                        std::string(RoleTitle(actor.role)) + "无权" + std::string(what));
}

}  // namespace hukou::org
