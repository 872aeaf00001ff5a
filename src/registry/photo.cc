#include "registry/photo.h"

#include "trust/audit.h"
#include "trust/sm3.h"

namespace hukou::registry {

std::string SniffImageType(std::string_view b) {
  if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") return "image/jpeg";
  if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1A\n", 8)) {
    return "image/png";
  }
  return "";
}

Result<Person> SetPhoto(store::Connection& conn, int64_t person_id, std::string_view bytes,
                        const org::Actor& actor, const Clock& clock, const ChangeContext& ctx) {
  HUKOU_RETURN_IF_ERROR(internal::CheckCanEdit(actor, "采集照片"));
  if (bytes.empty()) return ValidationError("photo.empty", "请上传照片", "photo");
  if (bytes.size() > kMaxPhotoBytes) {
    return ValidationError("photo.too_large", "照片不能超过 512 KB", "photo");
  }
  const std::string mime = SniffImageType(bytes);
  if (mime.empty()) {
    return ValidationError("photo.type", "照片须为 JPEG 或 PNG 图像（按文件内容判断）", "photo");
  }
  HUKOU_ASSIGN_OR_RETURN(Person current, ReadPersonById(conn, person_id, actor));
  if (current.status != "active") {
    return BusinessRuleError("person.cancelled", "该人员已注销，不能采集照片", "status");
  }
  const std::string now = clock.NowIso();
  const std::string sm3 = trust::Sm3Hex(bytes);
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows file,
      conn.Query("INSERT INTO files (sm3, mime, size, data, created_at, created_by) "
                 "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                 {sm3, mime, static_cast<int64_t>(bytes.size()), store::Blob{std::string(bytes)},
                  now, actor.user_id == 0 ? store::Value{} : store::Value{actor.user_id}}));
  const int64_t file_id = file.Int(0, 0);
  HUKOU_ASSIGN_OR_RETURN(
      int64_t updated,
      conn.Exec("UPDATE persons SET photo_file_id = $1, updated_at = $2, version = version + 1 "
                "WHERE id = $3 AND version = $4",
                {file_id, now, person_id, current.version}));
  if (updated != 1) {
    return ConflictError("person.version_conflict", "该人员信息已被他人修改，请刷新后重试",
                         "version");
  }
  const std::string old_id = current.photo_file_id ? std::to_string(*current.photo_file_id) : "";
  HUKOU_RETURN_IF_ERROR(internal::LogChange(conn, "person", person_id, "photo_file_id", old_id,
                                            std::to_string(file_id), "photo", ctx, actor,
                                            current.station_code, clock));
  HUKOU_RETURN_IF_ERROR(trust::AppendAudit(
      conn,
      {actor.user_id, "person.photo", "person", current.id_number,
       R"({"file_id":)" + std::to_string(file_id) + R"(,"sm3":")" + sm3 + R"("})"},
      clock));
  return ReadPersonById(conn, person_id, actor);
}

Result<Photo> ReadPhoto(store::Connection& conn, int64_t person_id, const org::Actor& actor) {
  HUKOU_ASSIGN_OR_RETURN(Person p, ReadPersonById(conn, person_id, actor));
  if (!p.photo_file_id) return NotFoundError("photo.not_found", "该人员尚未采集照片", "photo");
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows rows,
      conn.Query("SELECT id, mime, sm3, data FROM files WHERE id = $1", {*p.photo_file_id}));
  if (rows.empty()) return NotFoundError("photo.not_found", "照片文件不存在", "photo");
  Photo photo{rows.Int(0, 0), rows.Text(0, 1), rows.Text(0, 2), {}};
  if (const auto* blob = std::get_if<store::Blob>(&rows.At(0, 3))) photo.bytes = blob->bytes;
  return photo;
}

}  // namespace hukou::registry
