// Signing keys (H1): officers' certificates, units' electronic seals and the server's key, with
// history (rotation retires, revocation revokes; rows are never deleted) and a register of every
// use. KeyStore is the Signer: it caches decrypted keys in memory, so signing costs one SM2
// signature and a short cache mutex; only the first use of a key (or the first after another
// process rotated or revoked it, seen by Refresh) reads the database.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "store/database.h"
#include "trust/server_key.h"
#include "trust/signer.h"
#include "trust/sm2.h"

namespace hukou::trust {

inline constexpr char kOwnerUser[] = "user";
inline constexpr char kOwnerUnit[] = "unit";
inline constexpr char kOwnerServer[] = "server";
inline constexpr char kServerOwnerId[] = "city";

struct KeyInfo {
  int64_t id = 0;
  std::string owner_kind;  // user | unit | server
  std::string owner_id;
  std::string owner_name;  // user's or unit's name
  std::string algorithm;
  std::string status;  // active | retired | revoked
  std::string public_key_pem;
  std::string created_at;
  std::string retired_at;
  std::string revoked_at;
  std::string revoke_reason;
  int64_t seal_image_file_id = 0;  // unit seals: files.id of the seal image, 0 when none yet
  int64_t uses = 0;                // rows in key_usage
};

struct KeyEvent {
  int64_t id = 0;
  std::string event;  // created | retired | revoked
  std::string at;
  int64_t user_id = 0;
  std::string reason;
};

struct KeyUse {
  int64_t id = 0;
  std::string at;
  std::string purpose;
  std::string object_kind;
  std::string object_id;
  std::string payload_sm3;
  int64_t user_id = 0;
};

// Keys, newest first; owner_kind / owner_id filter when not empty.
Result<std::vector<KeyInfo>> ListKeys(store::Connection& conn, std::string_view owner_kind,
                                      std::string_view owner_id);
// Errors: kNotFound trust.key_not_found.
Result<KeyInfo> FindKey(store::Connection& conn, int64_t key_id);
Result<std::vector<KeyEvent>> KeyEvents(store::Connection& conn, int64_t key_id);
// The latest `limit` uses of a key, newest first.
Result<std::vector<KeyUse>> KeyUses(store::Connection& conn, int64_t key_id, int limit);

// Registers one use of a key (a signature made with it) inside the caller's transaction.
Status RecordKeyUse(store::Connection& conn, const Signature& signature, std::string_view purpose,
                    std::string_view object_kind, std::string_view object_id, int64_t user_id,
                    const Clock& clock);

// The seal image (files.id) of the unit's active seal key, 0 when none is set.
// Errors: kBusinessRule trust.no_seal (the unit has no active seal key).
Result<int64_t> SealImage(store::Connection& conn, std::string_view unit_code);
// Sets the seal image of the unit's active seal key (kept across rotations), audited.
// Errors: kBusinessRule trust.no_seal.
Status SetSealImage(store::Connection& conn, std::string_view unit_code, int64_t file_id,
                    int64_t by_user, const Clock& clock);

class KeyStore final : public Signer {
 public:
  // Errors: database errors reading the key-event high-water mark.
  static Result<std::unique_ptr<KeyStore>> Open(store::Database& db, ServerKey server_key);

  Result<Signature> SignAsOfficer(int64_t user_id, std::string_view payload) override;
  Result<Signature> SignAsUnit(std::string_view unit_code, std::string_view payload) override;
  // Signs with the server (city) key, used for audit checkpoints. Errors: trust.no_key.
  Result<Signature> SignAsServer(std::string_view payload);

  // Inside the caller's transaction: gives the owner an active key unless it has one; returns
  // the active key's id. Generating an SM2 key takes well under a millisecond.
  Result<int64_t> Enroll(store::Connection& conn, std::string_view owner_kind,
                         std::string_view owner_id, int64_t by_user, const Clock& clock) const;
  // Own transaction, audited: retires the owner's active key (if any) and creates a new one.
  Result<int64_t> Rotate(std::string_view owner_kind, std::string_view owner_id, int64_t by_user,
                         const Clock& clock);
  // Own transaction, audited: revokes the key; its owner cannot sign until a rotation.
  // Errors: kNotFound trust.key_not_found; kBusinessRule trust.key_revoked (already revoked).
  Status Revoke(int64_t key_id, int64_t by_user, std::string_view reason, const Clock& clock);
  // Forgets cached keys whose owners had key events since the last call (rotations and
  // revocations by other server processes). The server calls it every few seconds.
  Status Refresh();

 private:
  struct Cached {
    int64_t key_id = 0;
    std::string owner_kind;
    std::string owner_id;
    Sm2Key key;
  };
  KeyStore(store::Database& db, ServerKey server_key) : db_(db), server_key_(server_key) {}
  Result<Signature> Sign(std::string_view owner_kind, std::string_view owner_id,
                         std::string_view payload);
  Result<std::shared_ptr<const Cached>> Load(std::string_view owner_kind,
                                             std::string_view owner_id);
  void Forget(std::string_view owner_kind, std::string_view owner_id);

  store::Database& db_;
  const ServerKey server_key_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Cached>, std::less<>> cache_;  // "kind:id"
  int64_t last_event_id_ = 0;
};

}  // namespace hukou::trust
