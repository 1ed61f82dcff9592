# Requires Terraform >= 1.8 or OpenTofu >= 1.7 (provider-defined functions).
# Split a session key into its parts, with no API call.
output "support_group" {
  # { kind = "group", agent = "main", channel = "telegram", account = null,
  #   chat_type = "group", peer = "-1001234567890", thread = null, topic = "42" }
  value = provider::guayaba::parse_session_key("agent:main:telegram:group:-1001234567890:topic:42")
}

# Label each direct chat by channel and user id, whatever the key's shape
# (per-peer, per-channel-peer or per-account).
data "guayaba_sessions" "direct" {
  chat_type = "direct"
}

locals {
  direct = { for k in data.guayaba_sessions.direct.keys : k => provider::guayaba::parse_session_key(k) }
}

resource "guayaba_session" "direct" {
  for_each = local.direct

  key   = each.key
  label = "${coalesce(each.value.channel, "chat")} ${each.value.peer}"
}
