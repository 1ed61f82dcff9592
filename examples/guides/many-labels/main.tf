# Requires Terraform >= 1.8 (provider::guayaba::parse_session_key; the removed
# block needs 1.7).
data "guayaba_sessions" "telegram_groups" {
  key_prefix = "agent:main:telegram:group:"
}

locals {
  groups = { for k in data.guayaba_sessions.telegram_groups.keys : k => provider::guayaba::parse_session_key(k) }
}

resource "guayaba_session_labels" "telegram_groups" {
  labels = {
    for k, p in local.groups : k => "Telegram group ${p.peer}${p.topic == null ? "" : " topic ${p.topic}"}"
  }
}

removed {
  from = guayaba_session.group

  lifecycle {
    destroy = false
  }
}
