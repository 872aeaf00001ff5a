-- Audit-trail search (issue #4 §3, D1 H4): the writes of one officer and a time window over the
-- write log. access_log already has access_log_user (user_id, at), access_log_at (at) and
-- access_log_subject, so its hot insert path gets no new index.
CREATE INDEX audit_log_user ON audit_log(user_id, at);
CREATE INDEX audit_log_at ON audit_log(at);
