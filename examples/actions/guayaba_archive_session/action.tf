# Requires Terraform >= 1.14 (actions).
# Archive every web chat session idle since October, on demand:
#   terraform apply -invoke=action.guayaba_archive_session.quiet
data "guayaba_sessions" "quiet" {
  last_channel   = "webchat"
  updated_before = "2026-10-01T00:00:00Z"
}

action "guayaba_archive_session" "quiet" {
  for_each = toset(data.guayaba_sessions.quiet.keys)

  config {
    key = each.key
  }
}
