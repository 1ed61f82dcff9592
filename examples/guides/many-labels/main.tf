data "guayaba_sessions" "telegram_groups" {
  key_prefix = "agent:main:telegram:group:"
}

resource "guayaba_session_labels" "telegram_groups" {
  labels = {
    for k in data.guayaba_sessions.telegram_groups.keys :
    k => "Telegram group ${trimprefix(k, "agent:main:telegram:group:")}"
  }
}

removed {
  from = guayaba_session.group

  lifecycle {
    destroy = false
  }
}
