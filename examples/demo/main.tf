# The configuration `make demo` (scripts/demo.sh) runs against the offline
# sandbox. The provider is configured from the environment:
# GUAYABA_API_KEY, GUAYABA_BASE_URL and GUAYABA_AGENT_ID.

terraform {
  required_providers {
    guayaba = {
      source  = "guayabadotrun/guayaba"
      version = "~> 0.1"
    }
  }
}

provider "guayaba" {}

# --- What we manage ----------------------------------------------------------

# Every Telegram group chat gets a label built from where it came from
# (the group's name, and the topic for forum topics).
data "guayaba_sessions" "telegram_groups" {
  key_prefix = "agent:main:telegram:group:"
}

resource "guayaba_session" "group" {
  for_each = { for s in data.guayaba_sessions.telegram_groups.sessions : s.key => jsondecode(s.origin_json) }

  key   = each.key
  label = "${try(each.value.label, "Telegram group")}${try(" (topic ${each.value.threadId})", "")}"
}

# A chat started from the dashboard: labelled while managed, label cleared by
# `terraform destroy`.
resource "guayaba_session" "dashboard_test" {
  key        = "s-01hzx3k9q2"
  label      = "Dashboard test"
  on_destroy = "clear_label"
}

# An old API session, archived (destroy keeps it archived: on_destroy = "keep").
resource "guayaba_session" "api_session" {
  key      = "api:6d0f5c2e-8b1a-4f3e-9c7d-2a1b3c4d5e6f"
  label    = "API session"
  archived = true
}

# --- What we read back -------------------------------------------------------

# Read after the changes above (depends_on), so the outputs show the result.
data "guayaba_sessions" "active" {
  depends_on = [guayaba_session.group, guayaba_session.dashboard_test, guayaba_session.api_session]
}

data "guayaba_archives" "all" {
  depends_on = [guayaba_session.group, guayaba_session.dashboard_test, guayaba_session.api_session]
}

# A transcript through the data source: it is printed below, and it is also
# stored in the state (as every data source result is).
data "guayaba_session_history" "support" {
  key   = "agent:main:telegram:group:-1001234567890:topic:42"
  limit = 10
}

# ephemeral.tf reads a transcript that is never stored (Terraform >= 1.10).

output "active_sessions" {
  description = "Active sessions: key => label."
  value       = { for s in data.guayaba_sessions.active.sessions : s.key => coalesce(s.label, "(no label)") }
}

output "archives" {
  description = "Archives: label and archive time."
  value       = [for a in data.guayaba_archives.all.archives : "${coalesce(a.label, "(no label)")}, archived ${a.archived_at}"]
}

output "support_transcript" {
  description = "The support topic's conversation, via the data source."
  value       = [for m in data.guayaba_session_history.support.messages : "${m.role}: ${m.text}"]
}
