# The labels of many sessions of one agent, in one resource.
resource "guayaba_session_labels" "support" {
  labels = {
    "agent:main:telegram:group:-1001234567890"          = "Support"
    "agent:main:telegram:group:-1001234567890:topic:42" = "Support: billing"
    "agent:main:webchat:direct:visitor-7f3a"            = "Website visitor"
  }
}

# Every Telegram group chat of an agent, labelled after its group id; labels on
# any other session of the agent are cleared (exclusive), and destroying the
# resource clears the labels it set.
# Requires Terraform >= 1.8 or OpenTofu >= 1.7 (provider::guayaba::parse_session_key).
data "guayaba_sessions" "telegram_groups" {
  agent_id   = "5f0c6a3e-2b1d-4c8e-9f7a-1e2d3c4b5a69"
  key_prefix = "agent:main:telegram:group:"
}

locals {
  # key => {kind, agent, channel, account, chat_type, peer, thread, topic}
  groups = { for k in data.guayaba_sessions.telegram_groups.keys : k => provider::guayaba::parse_session_key(k) }
}

resource "guayaba_session_labels" "telegram_groups" {
  agent_id = "5f0c6a3e-2b1d-4c8e-9f7a-1e2d3c4b5a69" # defaults to the provider's agent_id
  labels = {
    for k, p in local.groups : k => "Telegram group ${p.peer}${p.topic == null ? "" : " topic ${p.topic}"}"
  }
  exclusive  = true
  on_destroy = "clear"
}

output "not_active" {
  value = guayaba_session_labels.support.missing_keys
}
