# Label every Telegram group session of the agent, and keep them labelled:
# a label changed in the dashboard shows up in `terraform plan` and the next
# apply puts it back. New group chats join the set on the next apply.
#
# Credentials come from the environment: GUAYABA_API_KEY, GUAYABA_AGENT_ID
# (and GUAYABA_BASE_URL to use the offline sandbox).

# Requires Terraform >= 1.8 or OpenTofu >= 1.7 (provider::guayaba::parse_session_key).
terraform {
  required_providers {
    guayaba = {
      source  = "guayabadotrun/guayaba"
      version = "~> 0.1"
    }
  }
}

provider "guayaba" {}

variable "label_prefix" {
  description = "Text put before each group's id in its label."
  type        = string
  default     = "Telegram group"
}

data "guayaba_sessions" "telegram_groups" {
  key_prefix   = "agent:main:telegram:group:"
  last_channel = "telegram"
}

locals {
  # Session key => its parts: peer is the group's chat id, topic the forum
  # topic (null for a group without topics).
  groups = {
    for k in data.guayaba_sessions.telegram_groups.keys : k => provider::guayaba::parse_session_key(k)
  }
}

resource "guayaba_session" "group" {
  for_each = local.groups

  key = each.key
  # Labels are unique among an agent's active sessions, so each carries its
  # group (and topic) id.
  label = "${var.label_prefix} ${each.value.peer}${each.value.topic == null ? "" : " topic ${each.value.topic}"}"
}

output "labelled" {
  description = "Session key => label."
  value       = { for k, s in guayaba_session.group : k => s.label }
}
