#include "trust/keys.h"

#include <nlohmann/json.hpp>

#include "trust/audit.h"
#include "trust/sm3.h"

namespace hukou::trust {
namespace {

constexpr char kKeyColumns[] =
    "SELECT k.id, k.owner_kind, k.owner_id, COALESCE(u.name, n.name, '') AS owner_name, "
    "k.algorithm, k.status, k.public_key_pem, k.created_at, COALESCE(k.retired_at, ''), "
    "COALESCE(k.revoked_at, ''), k.revoke_reason, COALESCE(k.seal_image_file_id, 0), "
    "(SELECT COUNT(*) FROM key_usage g WHERE g.key_id = k.id) AS uses "
    "FROM signing_keys k "
    "LEFT JOIN users u ON k.owner_kind = 'user' AND CAST(u.id AS TEXT) = k.owner_id "
    "LEFT JOIN units n ON k.owner_kind = 'unit' AND n.code = k.owner_id";

KeyInfo KeyAt(const store::Rows& r, size_t i) {
  KeyInfo k;
  k.id = r.Int(i, 0);
  k.owner_kind = r.Text(i, 1);
  k.owner_id = r.Text(i, 2);
  k.owner_name = r.Text(i, 3);
  if (k.owner_kind == kOwnerServer) k.owner_name = "市局服务器密钥（审计签名）";
  k.algorithm = r.Text(i, 4);
  k.status = r.Text(i, 5);
  k.public_key_pem = r.Text(i, 6);
  k.created_at = r.Text(i, 7);
  k.retired_at = r.Text(i, 8);
  k.revoked_at = r.Text(i, 9);
  k.revoke_reason = r.Text(i, 10);
  k.seal_image_file_id = r.Int(i, 11);
  k.uses = r.Int(i, 12);
  return k;
}

// The encryption context of a private key: binds it to its owner and public key, so a sealed
// private key copied onto another row does not open.
std::string SealContext(std::string_view kind, std::string_view id, std::string_view public_pem) {
  return "signing_keys:" + std::string(kind) + ":" + std::string(id) + ":" + Sm3Hex(public_pem);
}

std::string CacheKey(std::string_view kind, std::string_view id) {
  return std::string(kind) + ":" + std::string(id);
}

Status AddEvent(store::Connection& conn, int64_t key_id, std::string_view event, int64_t by,
                std::string_view reason, const std::string& at) {
  return conn
      .Exec(
          "INSERT INTO key_events (key_id, event, at, user_id, reason) VALUES ($1, $2, $3, $4, "
          "$5)",
          {key_id, std::string(event), at, by == 0 ? store::Value{} : store::Value{by},
           std::string(reason)})
      .status();
}

Error NoKey(std::string_view kind) {
  if (kind == kOwnerUnit) {
    return BusinessRuleError("trust.no_seal", "该单位没有有效的电子印章密钥");
  }
  return BusinessRuleError("trust.no_key", "没有有效的签名密钥（未登记或已吊销）");
}

}  // namespace

Result<std::vector<KeyInfo>> ListKeys(store::Connection& conn, std::string_view owner_kind,
                                      std::string_view owner_id) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query(std::string(kKeyColumns) +
                     " WHERE ($1 = '' OR k.owner_kind = $1) AND ($2 = '' OR k.owner_id = $2) "
                     "ORDER BY k.id DESC",
                 {std::string(owner_kind), std::string(owner_id)}));
  std::vector<KeyInfo> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(KeyAt(r, i));
  return out;
}

Result<KeyInfo> FindKey(store::Connection& conn, int64_t key_id) {
  HUKOU_ASSIGN_OR_RETURN(store::Rows r,
                         conn.Query(std::string(kKeyColumns) + " WHERE k.id = $1", {key_id}));
  if (r.empty()) return NotFoundError("trust.key_not_found", "签名密钥不存在", "id");
  return KeyAt(r, 0);
}

Result<std::vector<KeyEvent>> KeyEvents(store::Connection& conn, int64_t key_id) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT id, event, at, COALESCE(user_id, 0), reason FROM key_events "
                 "WHERE key_id = $1 ORDER BY id",
                 {key_id}));
  std::vector<KeyEvent> out;
  for (size_t i = 0; i < r.size(); ++i) {
    out.push_back({r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Int(i, 3), r.Text(i, 4)});
  }
  return out;
}

Result<std::vector<KeyUse>> KeyUses(store::Connection& conn, int64_t key_id, int limit) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT id, at, purpose, object_kind, object_id, payload_sm3, "
                 "COALESCE(user_id, 0) FROM key_usage WHERE key_id = $1 ORDER BY id DESC LIMIT " +
                     std::to_string(std::max(limit, 0)),
                 {key_id}));
  std::vector<KeyUse> out;
  for (size_t i = 0; i < r.size(); ++i) {
    out.push_back({r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                   r.Text(i, 5), r.Int(i, 6)});
  }
  return out;
}

Status RecordKeyUse(store::Connection& conn, const Signature& signature, std::string_view purpose,
                    std::string_view object_kind, std::string_view object_id, int64_t user_id,
                    const Clock& clock) {
  return conn
      .Exec(
          "INSERT INTO key_usage (key_id, at, purpose, object_kind, object_id, payload_sm3, "
          "user_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
          {signature.key_id, clock.NowIso(), std::string(purpose), std::string(object_kind),
           std::string(object_id), signature.payload_sm3,
           user_id == 0 ? store::Value{} : store::Value{user_id}})
      .status();
}

Result<int64_t> SealImage(store::Connection& conn, std::string_view unit_code) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT COALESCE(seal_image_file_id, 0) FROM signing_keys WHERE owner_kind = "
                 "'unit' AND owner_id = $1 AND status = 'active'",
                 {std::string(unit_code)}));
  if (r.empty()) return NoKey(kOwnerUnit);
  return r.Int(0, 0);
}

Status SetSealImage(store::Connection& conn, std::string_view unit_code, int64_t file_id,
                    int64_t by_user, const Clock& clock) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("UPDATE signing_keys SET seal_image_file_id = $2 WHERE owner_kind = 'unit' AND "
                 "owner_id = $1 AND status = 'active' RETURNING id",
                 {std::string(unit_code), file_id}));
  if (r.empty()) return NoKey(kOwnerUnit);
  nlohmann::json detail = {{"unit_code", unit_code}, {"file_id", file_id}};
  return AppendAudit(conn, {by_user, "seal.image", "signing_key", r.Text(0, 0), detail.dump()},
                     clock);
}

Result<std::unique_ptr<KeyStore>> KeyStore::Open(store::Database& db, ServerKey server_key) {
  std::unique_ptr<KeyStore> ks(new KeyStore(db, server_key));
  HUKOU_RETURN_IF_ERROR(db.Transact([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(store::Rows r,
                           conn.Query("SELECT COALESCE(MAX(id), 0) FROM key_events"));
    ks->last_event_id_ = r.Int(0, 0);
    return ks->Enroll(conn, kOwnerServer, kServerOwnerId, 0, Clock::System()).status();
  }));
  return ks;
}

Result<Signature> KeyStore::SignAsOfficer(int64_t user_id, std::string_view payload) {
  return Sign(kOwnerUser, std::to_string(user_id), payload);
}

Result<Signature> KeyStore::SignAsUnit(std::string_view unit_code, std::string_view payload) {
  return Sign(kOwnerUnit, unit_code, payload);
}

Result<Signature> KeyStore::SignAsServer(std::string_view payload) {
  return Sign(kOwnerServer, kServerOwnerId, payload);
}

Result<Signature> KeyStore::Sign(std::string_view owner_kind, std::string_view owner_id,
                                 std::string_view payload) {
  std::shared_ptr<const Cached> key;
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(CacheKey(owner_kind, owner_id));
    if (it != cache_.end()) key = it->second;
  }
  if (!key) {
    HUKOU_ASSIGN_OR_RETURN(key, Load(owner_kind, owner_id));
  }
  Signature s;
  s.signer_kind = key->owner_kind;
  s.signer_id = key->owner_id;
  s.key_id = key->key_id;
  s.algorithm = "SM2-SM3";
  s.payload_sm3 = Sm3Hex(payload);
  s.value = Base64(key->key.Sign(payload));
  return s;
}

Result<std::shared_ptr<const KeyStore::Cached>> KeyStore::Load(std::string_view owner_kind,
                                                               std::string_view owner_id) {
  store::Rows r;
  int64_t events_seen = 0;
  HUKOU_RETURN_IF_ERROR(db_.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(
        r, conn.Query("SELECT id, public_key_pem, private_key_enc FROM signing_keys "
                      "WHERE owner_kind = $1 AND owner_id = $2 AND status = 'active'",
                      {std::string(owner_kind), std::string(owner_id)}));
    HUKOU_ASSIGN_OR_RETURN(store::Rows m,
                           conn.Query("SELECT COALESCE(MAX(id), 0) FROM key_events"));
    events_seen = m.Int(0, 0);
    return Status::Ok();
  }));
  if (r.empty()) return NoKey(owner_kind);
  HUKOU_ASSIGN_OR_RETURN(
      std::string pem,
      server_key_.Open(r.Text(0, 2), SealContext(owner_kind, owner_id, r.Text(0, 1))));
  HUKOU_ASSIGN_OR_RETURN(Sm2Key key, Sm2Key::FromPrivatePem(pem));
  auto cached = std::make_shared<const Cached>(
      Cached{r.Int(0, 0), std::string(owner_kind), std::string(owner_id), std::move(key)});
  std::lock_guard lock(mu_);
  // Refresh may have passed key events newer than what was read; then use the key this once.
  if (last_event_id_ <= events_seen) cache_[CacheKey(owner_kind, owner_id)] = cached;
  return cached;
}

void KeyStore::Forget(std::string_view owner_kind, std::string_view owner_id) {
  std::lock_guard lock(mu_);
  auto it = cache_.find(CacheKey(owner_kind, owner_id));
  if (it != cache_.end()) cache_.erase(it);
}

Result<int64_t> KeyStore::Enroll(store::Connection& conn, std::string_view owner_kind,
                                 std::string_view owner_id, int64_t by_user,
                                 const Clock& clock) const {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows active,
      conn.Query("SELECT id FROM signing_keys WHERE owner_kind = $1 AND owner_id = $2 AND "
                 "status = 'active'",
                 {std::string(owner_kind), std::string(owner_id)}));
  if (!active.empty()) return active.Int(0, 0);
  const Sm2Key key = Sm2Key::Generate();
  const std::string pub = key.PublicPem();
  const std::string sealed =
      server_key_.Seal(key.PrivatePem(), SealContext(owner_kind, owner_id, pub));
  const std::string now = clock.NowIso();
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows inserted,
      conn.Query("INSERT INTO signing_keys (owner_kind, owner_id, algorithm, public_key_pem, "
                 "private_key_enc, status, created_at, created_by) VALUES ($1, $2, 'SM2-SM3', $3, "
                 "$4, 'active', $5, $6) RETURNING id",
                 {std::string(owner_kind), std::string(owner_id), pub, sealed, now,
                  by_user == 0 ? store::Value{} : store::Value{by_user}}));
  const int64_t id = inserted.Int(0, 0);
  HUKOU_RETURN_IF_ERROR(AddEvent(conn, id, "created", by_user, "", now));
  nlohmann::json detail = {{"owner_kind", owner_kind}, {"owner_id", owner_id}};
  HUKOU_RETURN_IF_ERROR(AppendAudit(
      conn, {by_user, "key.create", "signing_key", std::to_string(id), detail.dump()}, clock));
  return id;
}

Result<int64_t> KeyStore::Rotate(std::string_view owner_kind, std::string_view owner_id,
                                 int64_t by_user, const Clock& clock) {
  int64_t new_id = 0;
  HUKOU_RETURN_IF_ERROR(db_.Transact([&](store::Connection& conn) -> Status {
    const std::string now = clock.NowIso();
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows old, conn.Query("UPDATE signing_keys SET status = 'retired', retired_at = $3 "
                                    "WHERE owner_kind = $1 AND owner_id = $2 AND status = 'active' "
                                    "RETURNING id, seal_image_file_id",
                                    {std::string(owner_kind), std::string(owner_id), now}));
    for (size_t i = 0; i < old.size(); ++i) {
      HUKOU_RETURN_IF_ERROR(AddEvent(conn, old.Int(i, 0), "retired", by_user, "rotated", now));
    }
    HUKOU_ASSIGN_OR_RETURN(new_id, Enroll(conn, owner_kind, owner_id, by_user, clock));
    if (!old.empty() && !old.IsNull(0, 1)) {
      HUKOU_RETURN_IF_ERROR(
          conn.Exec("UPDATE signing_keys SET seal_image_file_id = $2 WHERE id = $1",
                    {new_id, old.Int(0, 1)})
              .status());
    }
    nlohmann::json detail = {{"owner_kind", owner_kind},
                             {"owner_id", owner_id},
                             {"retired_key_id", old.empty() ? 0 : old.Int(0, 0)}};
    return AppendAudit(
        conn, {by_user, "key.rotate", "signing_key", std::to_string(new_id), detail.dump()}, clock);
  }));
  Forget(owner_kind, owner_id);
  return new_id;
}

Status KeyStore::Revoke(int64_t key_id, int64_t by_user, std::string_view reason,
                        const Clock& clock) {
  std::string kind;
  std::string owner;
  HUKOU_RETURN_IF_ERROR(db_.Transact([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(KeyInfo key, FindKey(conn, key_id));
    if (key.status == "revoked") {
      return BusinessRuleError("trust.key_revoked", "该密钥已吊销", "id");
    }
    const std::string now = clock.NowIso();
    HUKOU_RETURN_IF_ERROR(conn.Exec("UPDATE signing_keys SET status = 'revoked', revoked_at = $2, "
                                    "revoke_reason = $3 WHERE id = $1",
                                    {key_id, now, std::string(reason)})
                              .status());
    HUKOU_RETURN_IF_ERROR(AddEvent(conn, key_id, "revoked", by_user, reason, now));
    kind = key.owner_kind;
    owner = key.owner_id;
    nlohmann::json detail = {{"owner_kind", kind}, {"owner_id", owner}, {"reason", reason}};
    return AppendAudit(
        conn, {by_user, "key.revoke", "signing_key", std::to_string(key_id), detail.dump()}, clock);
  }));
  Forget(kind, owner);
  return Status::Ok();
}

Status KeyStore::Refresh() {
  int64_t since = 0;
  {
    std::lock_guard lock(mu_);
    since = last_event_id_;
  }
  store::Rows r;
  HUKOU_RETURN_IF_ERROR(db_.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(
        r, conn.Query("SELECT e.id, k.owner_kind, k.owner_id FROM key_events e "
                      "JOIN signing_keys k ON k.id = e.key_id WHERE e.id > $1 ORDER BY e.id",
                      {since}));
    return Status::Ok();
  }));
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < r.size(); ++i) {
    auto it = cache_.find(CacheKey(r.Text(i, 1), r.Text(i, 2)));
    if (it != cache_.end()) cache_.erase(it);
    last_event_id_ = std::max(last_event_id_, r.Int(i, 0));
  }
  return Status::Ok();
}

}  // namespace hukou::trust
