# Every active session of the provider's agent.
data "guayaba_sessions" "all" {}

# Filters combine with AND: Telegram group chats active since a cutoff.
variable "since" {
  description = "RFC 3339 cutoff, e.g. 2026-11-01T00:00:00Z."
  type        = string
  default     = "2026-11-01T00:00:00Z"
}

data "guayaba_sessions" "recent_groups" {
  key_prefix    = "agent:main:telegram:group:"
  chat_type     = "group"
  last_channel  = "telegram"
  updated_after = var.since
}

locals {
  # updated_at is RFC 3339, so timecmp compares it with any other timestamp.
  idle_a_week = [
    for s in data.guayaba_sessions.all.sessions : s.key
    if timecmp(s.updated_at, timeadd(plantimestamp(), "-168h")) < 0
  ]

  # origin_json is the origin object as JSON: decode it to reach its fields.
  telegram_senders = {
    for s in data.guayaba_sessions.all.sessions : s.key => try(jsondecode(s.origin_json).from, null)
    if s.last_channel == "telegram"
  }

  unlabelled = [for s in data.guayaba_sessions.all.sessions : s.key if s.label == null]
}

output "recent_group_keys" {
  value = data.guayaba_sessions.recent_groups.keys
}

output "idle_a_week" {
  value = local.idle_a_week
}

output "telegram_senders" {
  value = local.telegram_senders
}

output "unlabelled" {
  value = local.unlabelled
}
