# Adopt an existing session (sessions are born in chats, not in Terraform) and
# keep its label.
resource "guayaba_session" "support" {
  key   = "agent:main:telegram:group:-1001234567890:topic:42"
  label = "Support group: topic 42"
}

# Archive a session: it leaves the active sessions, its transcript is kept.
# Setting archived = false later restores it under the same key.
resource "guayaba_session" "old_api_session" {
  key      = "api:6d0f5c2e-8b1a-4f3e-9c7d-2a1b3c4d5e6f"
  label    = "API session (2025)"
  archived = true
}

# What `terraform destroy` does to the session: keep (the default),
# clear_label, archive, or delete (permanent).
resource "guayaba_session" "visitor" {
  agent_id   = "5f0c6a3e-2b1d-4c8e-9f7a-1e2d3c4b5a69" # defaults to the provider's agent_id
  key        = "agent:main:webchat:direct:visitor-7f3a"
  label      = "Website visitor"
  on_destroy = "clear_label"
}

# Label every direct Telegram chat, whichever exist today, with the chat's
# user id.
# Requires Terraform >= 1.8 or OpenTofu >= 1.7 (provider::guayaba::parse_session_key).
data "guayaba_sessions" "telegram_direct" {
  key_prefix = "agent:main:telegram:direct:"
}

resource "guayaba_session" "telegram_direct" {
  for_each = toset(data.guayaba_sessions.telegram_direct.keys)

  key   = each.key
  label = "Telegram ${provider::guayaba::parse_session_key(each.key).peer}"
}
