# A reusable module: the last messages of one session as "role: text" lines.

terraform {
  required_providers {
    guayaba = {
      source  = "guayabadotrun/guayaba"
      version = "~> 0.1"
    }
  }
}

variable "session_key" {
  description = "The session key."
  type        = string
}

variable "last" {
  description = "How many of the most recent messages to read (1..1000)."
  type        = number
  default     = 20
}

data "guayaba_session_history" "this" {
  key   = var.session_key
  limit = var.last
}

locals {
  assistant = [for m in data.guayaba_session_history.this.messages : m if m.role == "assistant"]
}

output "lines" {
  description = "The messages, oldest first, as \"role: text\"."
  value       = [for m in data.guayaba_session_history.this.messages : "${m.role}: ${m.text}"]
}

output "last_assistant_text" {
  description = "The text of the agent's latest reply, or null."
  value       = length(local.assistant) > 0 ? local.assistant[length(local.assistant) - 1].text : null
}
