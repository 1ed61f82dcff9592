# The last 20 messages of one session, oldest first.
#
# Data source results are written to the state: prefer the ephemeral resource
# of the same name (Terraform >= 1.10, OpenTofu >= 1.11) when the transcript should not be kept.
data "guayaba_session_history" "ana" {
  key   = "agent:main:telegram:direct:123456789"
  limit = 20
}

locals {
  # text is the string content, or the text blocks joined by a newline
  # (empty for a message that only holds thinking or tool calls).
  lines = [for m in data.guayaba_session_history.ana.messages : "${m.role}: ${m.text}" if m.text != ""]

  # content_json keeps everything, thinking and tool calls included.
  tool_calls = flatten([
    for m in data.guayaba_session_history.ana.messages :
    try([for b in jsondecode(m.content_json) : b.name if b.type == "toolCall"], [])
  ])

  # Messages of the last 24 hours.
  last_day = [
    for m in data.guayaba_session_history.ana.messages : m.id
    if timecmp(m.timestamp, timeadd(plantimestamp(), "-24h")) > 0
  ]
}

output "transcript" {
  value = local.lines
}

output "tools_used" {
  value = distinct(local.tool_calls)
}

output "messages_last_day" {
  value = length(local.last_day)
}
