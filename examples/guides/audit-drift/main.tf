data "guayaba_sessions" "telegram_groups" {
  key_prefix = "agent:main:telegram:group:"
}

resource "guayaba_session" "group" {
  for_each = { for s in data.guayaba_sessions.telegram_groups.sessions : s.key => jsondecode(s.origin_json) }

  key   = each.key
  label = "${try(each.value.label, "Telegram group")}${try(" (topic ${each.value.threadId})", "")}"
}
