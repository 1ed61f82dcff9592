# Requires Terraform >= 1.14 (actions).
# The sweep of the guide, narrowed: the main session and API sessions are
# never archived.

variable "archive_before" {
  description = "Archive the sessions whose last activity is before this time (RFC 3339, UTC)."
  type        = string
}

data "guayaba_sessions" "quiet" {
  updated_before = var.archive_before
}

action "guayaba_archive_session" "quiet" {
  for_each = toset([
    for k in data.guayaba_sessions.quiet.keys : k
    if k != "agent:main:main" && !startswith(k, "api:")
  ])

  config {
    key = each.key
  }
}
