# Requires Terraform >= 1.14 (actions).
# Archive every session that has been quiet since a cutoff, on demand:
#   terraform plan -var archive_before=2026-11-01T00:00:00Z      (review the candidates)
#   terraform apply -var archive_before=2026-11-01T00:00:00Z \
#     -invoke=action.guayaba_archive_session.quiet
# Nothing is written to state: run it again with a later cutoff whenever you
# want another sweep.

variable "archive_before" {
  description = "Archive the sessions whose last activity is before this time (RFC 3339, UTC)."
  type        = string

  validation {
    condition     = can(timecmp(var.archive_before, "2000-01-01T00:00:00Z"))
    error_message = "archive_before must be an RFC 3339 timestamp, such as 2026-11-01T00:00:00Z."
  }
}

# The active sessions that have been quiet since the cutoff.
data "guayaba_sessions" "quiet" {
  updated_before = var.archive_before
}

action "guayaba_archive_session" "quiet" {
  for_each = toset(data.guayaba_sessions.quiet.keys)

  config {
    key = each.key
  }
}

output "candidates" {
  description = "Session key => label of the sessions the action would archive."
  value       = { for s in data.guayaba_sessions.quiet.sessions : s.key => s.label }
}
